/**
 * Engine 3's levers, one by one, over HTTP: this server at its defaults against the same server
 * with one lever set back to Engine 2's behaviour (and with all of them back), interleaved.
 *   npm run bench -- levers [reps]
 * Engine 2 = POOL_CONCURRENCY 2 × THREADS_PER_REQUEST 1 (cores ÷ slots), SHORT_WINDOW=false,
 * LONG_FORM=windows, WHISPER_CPU_VARIANT=baseline (x86-64-v3). Not revertible at run time: the
 * tinyBLAS kernels (GGML_LLAMAFILE, now in both builds) and the single ffmpeg pass.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { audioPath, CLIPS } from './lib/env.js';
import { interleave, seconds } from './lib/interleave.js';
import { loadavg, waitForQuiet } from './lib/load.js';
import { startOurServer, type OurServer } from './lib/our-server.js';
import { Report } from './lib/report.js';
import { fmt, median, table } from './lib/stats.js';

const cores = availableParallelism();
const ENGINE2 = { POOL_CONCURRENCY: '2', THREADS_PER_REQUEST: String(Math.max(1, Math.floor(cores / 2))), SHORT_WINDOW: 'false', LONG_FORM: 'windows', WHISPER_CPU_VARIANT: 'baseline' };
const SERVERS: [string, Record<string, string>][] = [
  ['defaults (Engine 3)', {}],
  ['threads: cores ÷ slots', { THREADS_PER_REQUEST: ENGINE2.THREADS_PER_REQUEST }],
  ['SHORT_WINDOW=false', { SHORT_WINDOW: 'false' }],
  ['LONG_FORM=windows', { LONG_FORM: 'windows' }],
  ['baseline build (x86-64-v3)', { WHISPER_CPU_VARIANT: 'baseline' }],
  ['all back (Engine 2 settings)', ENGINE2],
];

export async function main(args: string[]): Promise<string> {
  const reps = Number(args[0] ?? 3);
  const servers: [string, OurServer][] = [];
  for (const [name, env] of SERVERS) servers.push([name, await startOurServer(env)]);
  try {
    const jfk = await readFile(audioPath(CLIPS.jfk.file));
    const long = await readFile(audioPath(CLIPS.long.file));
    const works: [string, (s: OurServer) => Promise<number>][] = [
      [CLIPS.jfk.file, async (s) => (await s.transcribe(jfk, CLIPS.jfk.file)).seconds],
      [CLIPS.long.file, async (s) => (await s.transcribe(long, CLIPS.long.file)).seconds],
      ['8 × jfk, 4 clients', (s) => seconds(() => Promise.all(Array.from({ length: 4 }, async () => { await s.transcribe(jfk, 'a.wav'); await s.transcribe(jfk, 'b.wav'); })))],
    ];
    const cols: string[][] = [];
    for (const [work, run] of works) {
      const load = await waitForQuiet(work);
      const times = await interleave(servers.map(([name, s]) => ({ name, run: () => run(s) })), reps);
      const base = median(times.get(SERVERS[0][0])!);
      cols.push([work, ...SERVERS.map(([name]) => `${fmt(median(times.get(name)!))} (${fmt(median(times.get(name)!) / base, 2)}×)`), `${load.split(' ')[1]}→${loadavg()[0]}`]);
      console.error(cols.at(-1)!.join(' | '));
    }
    return new Report('Engine 3 levers, one at a time (HTTP, tiny.en)')
      .add(`Each server is this build with one lever set back; seconds (÷ defaults), medians of ${reps} interleaved rounds after 1 warm-up, ${cores} cores.`,
        table(['work', ...SERVERS.map(([n]) => n), 'load'], cols))
      .toString();
  } finally {
    for (const [, s] of servers) s.close();
  }
}
