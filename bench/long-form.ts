/**
 * Long files: this server's long-form policies over HTTP against the speaches-defaults contender,
 * interleaved, with WER where the file has a reference. Each policy is a server of its own:
 *   defaults                  chunked at pauses, chunks decoding at once (one state per thread), beam per LONG_FORM_BEAM_SIZE
 *   beam 5 / greedy           the same with LONG_FORM_BEAM_SIZE pinned
 *   one state                 LONG_FORM_WORKERS=1 (Engine 3's first cut: the chunks in turn)
 *   windows (Engine 2)        LONG_FORM=windows: whisper.cpp's sliding 30 s windows
 *   npm run bench -- long-form [reps]    needs FW_PYTHON and FW_MODEL_DIR; the 6-minute file needs BENCH_AUDIO_DIR
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { references } from '../test/support/paths.js';
import { wer } from '../test/support/wer.js';
import { audioPath, CLIPS } from './lib/env.js';
import { startFw } from './lib/faster-whisper.js';
import { interleave } from './lib/interleave.js';
import { loadavg, waitForQuiet } from './lib/load.js';
import { exactClipsFile, sixMinuteFile } from './lib/long-files.js';
import { startOurServer, type OurServer } from './lib/our-server.js';
import { Report } from './lib/report.js';
import { fmt, median, table } from './lib/stats.js';

const POLICIES: [string, Record<string, string>][] = [
  ['defaults', {}],
  ['beam 5', { LONG_FORM_BEAM_SIZE: '5' }],
  ['greedy', { LONG_FORM_BEAM_SIZE: '1' }],
  ['beam 5, one state', { LONG_FORM_BEAM_SIZE: '5', LONG_FORM_WORKERS: '1' }],
  ['windows (Engine 2)', { LONG_FORM: 'windows' }],
];

export async function main(args: string[]): Promise<string> {
  const reps = Number(args[0] ?? 3);
  const threads = availableParallelism();
  const exact = exactClipsFile();
  const six = sixMinuteFile();
  const files = [
    { name: `${CLIPS.long.file} (80 s)`, file: audioPath(CLIPS.long.file), ref: references().find((r) => r.file === CLIPS.long.file)?.text },
    { name: `the exact English clips joined (${Math.round(exact.seconds)} s)`, file: exact.file, ref: exact.ref },
    ...(six ? [{ name: '6-minute file (363 s)', file: six, ref: undefined }] : []),
  ];
  const servers: [string, OurServer][] = [];
  for (const [name, env] of POLICIES) servers.push([name, await startOurServer(env)]);
  const fw = await startFw('int8', threads);
  const names = [...POLICIES.map(([n]) => n), 'speaches-defaults'];
  const rows: string[][] = [];
  try {
    for (const f of files) {
      const bytes = await readFile(f.file);
      const texts = new Map<string, string[]>(names.map((n) => [n, []]));
      const keep = (n: string) => (r: { seconds: number; text: string }) => (texts.get(n)!.push(r.text), r.seconds);
      const load = await waitForQuiet(f.name);
      const times = await interleave(
        [
          ...servers.map(([n, s]) => ({ name: n, run: () => s.transcribe(bytes, path.basename(f.file)).then(keep(n)) })),
          { name: 'speaches-defaults', run: () => fw.speaches(f.file).then(keep('speaches-defaults')) },
        ],
        reps,
      );
      const base = median(times.get('speaches-defaults')!);
      const cell = (n: string) => {
        const t = median(times.get(n)!);
        // The warm-up run's text is kept too: every run counts for WER (CPU decodes can differ run to run).
        const wers = f.ref ? texts.get(n)!.map((x) => 100 * wer(f.ref!, x)) : [];
        return `${fmt(t, 2)} s (${fmt(t / base, 2)}×)${wers.length ? `, WER ${fmt(median(wers), 2)} %` : ''}`;
      };
      rows.push([f.name, ...names.map(cell), `${load.split(' ')[1]}→${loadavg()[0]}`]);
      console.error(rows.at(-1)!.join(' | '));
    }
    return new Report('Long files: long-form policies vs speaches-defaults (HTTP, tiny.en)')
      .add(
        `Seconds end to end over HTTP (÷ the speaches-defaults contender), medians of ${reps} interleaved rounds after 1 warm-up; ` +
          `WER: the median over every run. ${threads} threads; ours f16 ggml, faster-whisper int8 from the same CT2 tiny.en weights.`,
        table(['file', ...names, 'load'], rows),
      )
      .toString();
  } finally {
    for (const [, s] of servers) s.close();
    await fw.close();
  }
}
