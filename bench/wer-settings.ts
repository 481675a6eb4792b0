/**
 * WER per clip over HTTP for several server settings side by side: every English clip with an
 * exact reference, one request each per server, errors per clip and in total. Shows which clips
 * carry a WER difference between settings.
 *   npm run bench -- wer-settings [servers|weights|addon]
 * servers (default): five server settings; weights: tiny.en's f16 weights against q8_0 (the same
 * server, `tiny.en` aliased to `tiny.en-q8_0`); addon: this build against the addon at
 * BENCH_BASE_ADDON (an earlier patch, built aside). Each with the summed request time.
 */
import { readFile } from 'node:fs/promises';
import { references } from '../test/support/paths.js';
import { normalize, wordErrors } from '../test/support/wer.js';
import { audioPath } from './lib/env.js';
import { loadavg } from './lib/load.js';
import { startOurServer } from './lib/our-server.js';
import { Report } from './lib/report.js';
import { fmt, table } from './lib/stats.js';

const SETS: Record<string, [string, Record<string, string>][]> = {
  servers: [
    ['defaults', {}],
    ['SHORT_WINDOW=false', { SHORT_WINDOW: 'false' }],
    ['baseline build', { WHISPER_CPU_VARIANT: 'baseline' }],
    ['THREADS_PER_REQUEST=1', { THREADS_PER_REQUEST: '1' }],
    ['VAD_FILTER=off', { VAD_FILTER: 'off' }],
  ],
  weights: [
    ['f16', {}],
    ['q8_0', { MODEL_ALIASES: 'tiny.en=tiny.en-q8_0', PRELOAD_MODELS: 'tiny.en-q8_0' }],
  ],
  addon: [
    ['this build', {}],
    ['BENCH_BASE_ADDON', { WHISPER_ADDON_PATH: process.env.BENCH_BASE_ADDON ?? '' }],
  ],
};

export async function main(args: string[]): Promise<string> {
  const SETTINGS = SETS[args[0] ?? 'servers'];
  if (!SETTINGS) throw new Error(`wer-settings: expected one of ${Object.keys(SETS).join(', ')}`);
  const servers = [];
  for (const [, env] of SETTINGS) servers.push(await startOurServer(env));
  const load = loadavg()[0];
  try {
    const clips = references().filter((r) => r.quality === 'exact' && r.language === 'en');
    const totals = SETTINGS.map(() => 0);
    const seconds = SETTINGS.map(() => 0);
    let words = 0;
    const rows: string[][] = [];
    for (const clip of clips) {
      const ref = normalize(clip.text);
      words += ref.length;
      const bytes = await readFile(audioPath(clip.file));
      const errs: number[] = [];
      for (const [i, server] of servers.entries()) {
        const answer = await server.transcribe(bytes, clip.file);
        seconds[i] += answer.seconds;
        errs.push(wordErrors(ref, normalize(answer.text)));
        totals[i] += errs[i];
      }
      rows.push([clip.file, String(ref.length), ...errs.map(String)]);
      console.error(rows.at(-1)!.join(' | '));
    }
    rows.push([`**WER** (${words} words)`, '', ...totals.map((e) => `**${fmt((100 * e) / words, 2)} %**`)]);
    rows.push(['time, all clips (s)', '', ...seconds.map((s) => fmt(s, 2))]);
    return new Report('WER per clip, server settings side by side (HTTP, tiny.en)')
      .add(`Word errors per clip, one request per clip and server; load ${load}→${loadavg()[0]}.`, table(['clip', 'words', ...SETTINGS.map(([n]) => n)], rows))
      .toString();
  } finally {
    for (const s of servers) s.close();
  }
}
