/**
 * WER per clip over HTTP for several server settings side by side: every English clip with an
 * exact reference, one request each per server, errors per clip and in total. Shows which clips
 * carry a WER difference between settings.
 *   npm run bench -- wer-settings [servers|weights|addon|checkout] [rounds]
 * servers (default): five server settings; weights: tiny.en's f16 weights against q8_0 (the same
 * server, `tiny.en` aliased to `tiny.en-q8_0`); addon: this build against the addon at
 * BENCH_BASE_ADDON (an earlier patch, built aside); checkout: this server against the one in the
 * checkout at BENCH_BASE_CHECKOUT (an earlier engine), each at its defaults. Each with the summed
 * request time. rounds (default 1): the clips again in other orders, for engines whose reading
 * depends on a reused state's history.
 */
import { readFile } from 'node:fs/promises';
import { references } from '../test/support/paths.js';
import { mulberry32 } from '../test/support/random.js';
import { normalize, wordErrors } from '../test/support/wer.js';
import { audioPath } from './lib/env.js';
import { loadavg } from './lib/load.js';
import { checkoutName, startOurServer } from './lib/our-server.js';
import { Report } from './lib/report.js';
import { fmt, table } from './lib/stats.js';

/** A server setting: its name, its environment, and optionally another checkout to start it from. */
type Setting = [string, Record<string, string>, string?];

const SETS: Record<string, Setting[]> = {
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
  // An earlier engine at its own defaults, from a checkout built aside (for Engine 2: `git worktree add DIR
  // eee3117 && (cd DIR && npm ci)`), on this checkout's models.
  checkout: [
    ['this build', {}],
    ['BENCH_BASE_CHECKOUT', {}, process.env.BENCH_BASE_CHECKOUT ?? ''],
  ],
};

/** The clips in file order for round 0, then in a seeded random order each round (a reused state's history). */
function order<T>(items: T[], round: number): T[] {
  const out = [...items];
  const random = mulberry32(2000 + round);
  for (let i = out.length - 1; round > 0 && i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export async function main(args: string[]): Promise<string> {
  const SETTINGS = SETS[args[0] ?? 'servers']?.map(([name, env, dir]): Setting => [dir ? checkoutName(dir) : name, env, dir]);
  if (!SETTINGS) throw new Error(`wer-settings: expected one of ${Object.keys(SETS).join(', ')}`);
  const rounds = Number(args[1] ?? 1);
  if (SETTINGS.some(([, , dir]) => dir === '')) throw new Error('wer-settings checkout: set BENCH_BASE_CHECKOUT');
  const servers = [];
  for (const [, env, dir] of SETTINGS) servers.push(await startOurServer(env, dir));
  const load = loadavg()[0];
  try {
    const clips = references().filter((r) => r.quality === 'exact' && r.language === 'en');
    const refs = new Map(clips.map((clip) => [clip.file, normalize(clip.text)]));
    const words = clips.reduce((n, clip) => n + refs.get(clip.file)!.length, 0);
    // errors[clip][setting][round]; totals[setting][round]
    const errors = new Map(clips.map((c) => [c.file, SETTINGS.map(() => [] as number[])]));
    const totals = SETTINGS.map(() => [] as number[]);
    const seconds = SETTINGS.map(() => 0);
    for (let round = 0; round < rounds; round++) {
      for (const t of totals) t.push(0);
      for (const clip of order(clips, round)) {
        const ref = refs.get(clip.file)!;
        const bytes = await readFile(audioPath(clip.file));
        for (const [i, server] of servers.entries()) {
          const answer = await server.transcribe(bytes, clip.file);
          const errs = wordErrors(ref, normalize(answer.text));
          seconds[i] += answer.seconds;
          errors.get(clip.file)![i].push(errs);
          totals[i][round] += errs;
          if (errs) console.error(`round ${round} · ${SETTINGS[i][0]} · ${clip.file}: ${errs} · ${answer.text}`);
        }
      }
    }
    const cell = (n: number[]) => n.join(' / ');
    const rows = clips.map((clip) => [clip.file, String(refs.get(clip.file)!.length), ...errors.get(clip.file)!.map(cell)]);
    rows.push([`**WER** (${words} words)`, '', ...totals.map((t) => `**${t.map((e) => `${fmt((100 * e) / words, 2)} %`).join(' / ')}**`)]);
    rows.push(['time, all clips (s)', '', ...seconds.map((s) => fmt(s, 2))]);
    const how = rounds > 1 ? `${rounds} rounds, each clip once a round, the clips in file order and then in seeded random orders; a cell lists the rounds` : 'one request per clip and server';
    return new Report('WER per clip, server settings side by side (HTTP, tiny.en)')
      .add(`Word errors per clip, ${how}; load ${load}→${loadavg()[0]}.`, table(['clip', 'words', ...SETTINGS.map(([n]) => n)], rows))
      .toString();
  } finally {
    for (const s of servers) s.close();
  }
}
