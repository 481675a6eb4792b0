/**
 * WER per clip over HTTP for several server settings side by side: every English clip with an
 * exact reference, one request each per server, errors per clip and in total. Shows which clips
 * carry a WER difference between settings.
 *   npm run bench -- wer-settings
 */
import { readFile } from 'node:fs/promises';
import { references } from '../test/support/paths.js';
import { normalize, wordErrors } from '../test/support/wer.js';
import { audioPath } from './lib/env.js';
import { loadavg } from './lib/load.js';
import { startOurServer } from './lib/our-server.js';
import { Report } from './lib/report.js';
import { fmt, table } from './lib/stats.js';

const SETTINGS: [string, Record<string, string>][] = [
  ['defaults', {}],
  ['SHORT_WINDOW=false', { SHORT_WINDOW: 'false' }],
  ['baseline build', { WHISPER_CPU_VARIANT: 'baseline' }],
  ['THREADS_PER_REQUEST=1', { THREADS_PER_REQUEST: '1' }],
  ['VAD_FILTER=off', { VAD_FILTER: 'off' }],
];

export async function main(): Promise<string> {
  const servers = [];
  for (const [, env] of SETTINGS) servers.push(await startOurServer(env));
  const load = loadavg()[0];
  try {
    const clips = references().filter((r) => r.quality === 'exact' && r.language === 'en');
    const totals = SETTINGS.map(() => 0);
    let words = 0;
    const rows: string[][] = [];
    for (const clip of clips) {
      const ref = normalize(clip.text);
      words += ref.length;
      const bytes = await readFile(audioPath(clip.file));
      const errs: number[] = [];
      for (const [i, server] of servers.entries()) {
        errs.push(wordErrors(ref, normalize((await server.transcribe(bytes, clip.file)).text)));
        totals[i] += errs[i];
      }
      rows.push([clip.file, String(ref.length), ...errs.map(String)]);
      console.error(rows.at(-1)!.join(' | '));
    }
    rows.push([`**WER** (${words} words)`, '', ...totals.map((e) => `**${fmt((100 * e) / words, 2)} %**`)]);
    return new Report('WER per clip, server settings side by side (HTTP, tiny.en)')
      .add(`Word errors per clip, one request per clip and server; load ${load}→${loadavg()[0]}.`, table(['clip', 'words', ...SETTINGS.map(([n]) => n)], rows))
      .toString();
  } finally {
    for (const s of servers) s.close();
  }
}
