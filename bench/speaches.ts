/**
 * Engine 3's head-to-head: this server over HTTP at its defaults (`npm start`, nothing tuned)
 * against a contender with speaches' defaults (faster-whisper's BatchedInferencePipeline, batch 8,
 * beam 5, Silero VAD always on, int8, cpu_threads = our cores, no timestamps; decode included),
 * and plain faster-whisper int8 (beam 5, no VAD, audio pre-decoded) for reference. Same tiny.en
 * weights, interleaved, load quoted. Also 8 × jfk.wav from 4 concurrent clients (wall seconds).
 *   npm run bench -- speaches [reps]      needs FW_PYTHON and FW_MODEL_DIR (BENCHMARKS.md)
 * The 6-minute file is built from the clips when BENCH_AUDIO_DIR holds churchill.wav and
 * lucier_i_am_sitting_in_a_room.wav (left out of the repository: their rights are unclear).
 * BENCH_BASE_CHECKOUT: also an earlier engine's server from that checkout (built there, at its own
 * defaults, on this checkout's models) in the same rounds, with our time ÷ its time.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { references } from '../test/support/paths.js';
import { normalize, wer, wordErrors } from '../test/support/wer.js';
import { audioPath, CLIPS } from './lib/env.js';
import { startFw } from './lib/faster-whisper.js';
import { interleave, seconds } from './lib/interleave.js';
import { loadavg, waitForQuiet } from './lib/load.js';
import { sixMinuteFile } from './lib/long-files.js';
import { checkoutName, startOurServer } from './lib/our-server.js';
import { Report } from './lib/report.js';
import { BEAM5 } from './lib/settings.js';
import { fmt, median, table } from './lib/stats.js';

export async function main(args: string[]): Promise<string> {
  const reps = Number(args[0] ?? 3);
  // Which rows: any of jfk, long, six, clients, wer (default all).
  const only = new Set((args[1] ?? 'jfk,long,six,clients,wer').split(','));
  const threads = availableParallelism();
  const refs = new Map(references().map((r) => [r.file, r.text]));
  const six = only.has('six') ? sixMinuteFile() : undefined;
  const clips = [
    ...(only.has('jfk') ? [{ name: CLIPS.jfk.file, file: audioPath(CLIPS.jfk.file), ref: refs.get(CLIPS.jfk.file) }] : []),
    ...(only.has('long') ? [{ name: CLIPS.long.file, file: audioPath(CLIPS.long.file), ref: refs.get(CLIPS.long.file) }] : []),
    ...(six ? [{ name: '6-minute file (363 s)', file: six, ref: undefined }] : []),
  ];
  const baseDir = process.env.BENCH_BASE_CHECKOUT;
  const baseName = baseDir ? checkoutName(baseDir) : '';
  const base = baseDir ? await startOurServer({}, baseDir) : undefined;
  const ours = await startOurServer().catch((err: unknown) => {
    base?.close();
    throw err;
  });
  const fw = await startFw('int8', threads);
  const report = new Report('Engine 3: our server (HTTP, defaults) vs speaches-defaults contender');
  const rows: string[][] = [];
  try {
    for (const clip of clips) {
      const bytes = await readFile(clip.file);
      const texts = new Map<string, string>();
      const keep = (name: string) => (r: { seconds: number; text: string }) => (texts.set(name, r.text), r.seconds);
      const load = await waitForQuiet(clip.name);
      const times = await interleave(
        [
          { name: 'ours', run: () => ours.transcribe(bytes, path.basename(clip.file)).then(keep('ours')) },
          { name: 'speaches', run: () => fw.speaches(clip.file).then(keep('speaches')) },
          { name: 'fw', run: () => fw.transcribe(clip.file, BEAM5).then(keep('fw')) },
          ...(base ? [{ name: 'base', run: () => base.transcribe(bytes, path.basename(clip.file)).then(keep('base')) }] : []),
        ],
        reps,
      );
      const m = (n: string) => median(times.get(n)!);
      const w = (n: string) => (clip.ref ? `${fmt(100 * wer(clip.ref, texts.get(n)!), 2)} %` : 'n/a');
      const versusBase = base ? [fmt(m('base')), `**${fmt(m('ours') / m('base'), 2)}×**`, w('base')] : [];
      rows.push([clip.name, fmt(m('ours')), fmt(m('speaches')), fmt(m('fw')), `**${fmt(m('ours') / m('speaches'), 2)}×**`, `${w('ours')} / ${w('speaches')} / ${w('fw')}`, ...versusBase, `${load.split(' ')[1]}→${loadavg()[0]}`]);
      console.error(rows.at(-1)!.join(' | '));
    }
    // Throughput: 8 × jfk from 4 clients. speaches' one CTranslate2 worker serves them in turn.
    if (only.has('clients')) await clients();
    if (only.has('wer')) await accuracy();
    report.add(
      `tiny.en (ours: f16 ggml at the server defaults; faster-whisper: int8 from the same CT2 weights), ${threads} threads, ` +
        `${reps} interleaved rounds after 1 warm-up; our time is end to end over HTTP (upload, decode, VAD, compute, JSON).`,
      table(['work', 'ours s', 'speaches-defaults s', 'fw int8 plain s', 'ours ÷ speaches', 'WER ours / speaches / fw', ...(base ? [`${baseName} s`, `ours ÷ ${baseName}`, `WER ${baseName}`] : []), 'load'], rows),
    );
    return report.toString();
  } finally {
    ours.close();
    base?.close();
    await fw.close();
  }

  async function clients() {
    const jfk = await readFile(audioPath(CLIPS.jfk.file));
    const fourClients = (one: () => Promise<unknown>) => seconds(() => Promise.all(Array.from({ length: 4 }, async () => { await one(); await one(); })));
    const load = await waitForQuiet('throughput');
    const tp = await interleave(
      [
        { name: 'ours', run: () => fourClients(() => ours.transcribe(jfk, CLIPS.jfk.file)) },
        { name: 'speaches', run: () => fourClients(() => fw.speaches(audioPath(CLIPS.jfk.file))) },
        ...(base ? [{ name: 'base', run: () => fourClients(() => base.transcribe(jfk, CLIPS.jfk.file)) }] : []),
      ],
      reps,
    );
    const t = (n: string) => median(tp.get(n)!);
    const versusBase = base ? [fmt(t('base')), `**${fmt(t('ours') / t('base'), 2)}×**`, ''] : [];
    rows.push(['8 × jfk.wav, 4 clients (wall)', fmt(t('ours')), fmt(t('speaches')), '', `**${fmt(t('ours') / t('speaches'), 2)}×**`, '', ...versusBase, `${load.split(' ')[1]}→${loadavg()[0]}`]);
    console.error(rows.at(-1)!.join(' | '));
  }

  /** WER over every English clip with an exact reference, one run each, both servers at their defaults. */
  async function accuracy() {
    const clips = references().filter((r) => r.quality === 'exact' && r.language === 'en');
    const errs = { ours: 0, speaches: 0 };
    let words = 0;
    for (const clip of clips) {
      const file = audioPath(clip.file);
      const ref = normalize(clip.text);
      words += ref.length;
      errs.ours += wordErrors(ref, normalize((await ours.transcribe(await readFile(file), clip.file)).text));
      errs.speaches += wordErrors(ref, normalize((await fw.speaches(file)).text));
    }
    const pct = (e: number) => `${fmt((100 * e) / words, 2)} %`;
    rows.push([`WER, ${clips.length} exact English clips (${words} words)`, '', '', '', '', `${pct(errs.ours)} / ${pct(errs.speaches)}`, ...(base ? ['', '', ''] : []), '']);
    console.error(rows.at(-1)!.join(' | '));
  }
}
