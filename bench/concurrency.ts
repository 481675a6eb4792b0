/**
 * Concurrency on this machine's cores. (1) Throughput and per-request latency with 1/2/4
 * transcriptions in flight through the pool (closed loop: C clients, 8 jfk.wav requests per
 * round), threads per request = max(1, floor(cores / C)) as src/config.ts defaults it.
 * (2) A 3.35 s request submitted 1 s after an 80 s one started, against its solo latency: our
 * pool (concurrency 2, 1 thread each; and concurrency 1 for contrast) and whisper-server (which
 * runs one request at a time). Configurations interleave round by round.
 */
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEngineWorker, type EngineWorker } from './lib/engine-client.js';
import { audioPath, CLIPS, REPS } from './lib/env.js';
import { interleave, type Contender } from './lib/interleave.js';
import { waitForQuiet } from './lib/load.js';
import { Report } from './lib/report.js';
import { BEAM5, GREEDY, type Decoding } from './lib/settings.js';
import { fmt, median, percentile, table } from './lib/stats.js';
import { startServer } from './lib/whisper-cpp.js';

const cores = availableParallelism();
const PER_ROUND = 8;

async function throughput(report: Report): Promise<void> {
  const levels = [1, 2, 4].map((c) => ({ c, threads: Math.max(1, Math.floor(cores / c)) }));
  const workers = new Map<number, EngineWorker>();
  for (const l of levels) workers.set(l.c, await startEngineWorker({ concurrency: l.c }));
  const latencies = new Map(levels.map((l) => [l.c, [] as number[]]));
  const load = await waitForQuiet('concurrency throughput');
  try {
    const times = await interleave(
      levels.map((l) => ({
        name: String(l.c),
        run: async () => {
          const w = workers.get(l.c)!;
          let left = PER_ROUND;
          const lat: number[] = [];
          const t0 = performance.now();
          const client = async () => {
            while (left-- > 0) lat.push((await w.transcribe(audioPath(CLIPS.jfk.file), l.threads, GREEDY)).seconds);
          };
          await Promise.all(Array.from({ length: l.c }, client));
          latencies.get(l.c)!.push(...lat);
          return (performance.now() - t0) / 1000;
        },
      })),
      REPS,
    );
    // Latencies of the warm-up round are in `latencies` too: drop the first PER_ROUND of each.
    const base = PER_ROUND * CLIPS.jfk.seconds / median(times.get('1')!);
    report.add(
      `### Throughput, ${PER_ROUND} × jfk.wav per round, ${GREEDY.name} — ${load}`,
      table(
        ['in flight (POOL_CONCURRENCY)', 'threads/request', 'median round wall s', 'audio s per wall s', 'vs 1 in flight', 'latency median s', 'latency p95 s'],
        levels.map((l) => {
          const wall = median(times.get(String(l.c))!);
          const tput = (PER_ROUND * CLIPS.jfk.seconds) / wall;
          const lat = latencies.get(l.c)!.slice(PER_ROUND);
          return [l.c, l.threads, fmt(wall), fmt(tput, 1), `${fmt(tput / base, 2)}×`, fmt(median(lat)), fmt(percentile(lat, 95))];
        }),
      ),
    );
  } finally {
    await Promise.all([...workers.values()].map((w) => w.close()));
  }
}

interface Target {
  name: string;
  run: (file: string, d: Decoding) => Promise<number>;
}

async function shortBesideLong(report: Report): Promise<void> {
  const d = BEAM5;
  const c2 = await startEngineWorker({ concurrency: 2 });
  const c1 = await startEngineWorker({ concurrency: 1 });
  const server = await startServer(cores, 18_090);
  const targets: Target[] = [
    { name: 'engine pool, concurrency 2, 1 thread each', run: async (f) => (await c2.transcribe(f, Math.max(1, cores / 2), d)).seconds },
    { name: 'engine pool, concurrency 1, 2 threads', run: async (f) => (await c1.transcribe(f, cores, d)).seconds },
    { name: `whisper-server (serial), ${cores} threads`, run: async (f) => (await server.infer(f, d)).seconds },
  ];
  const short = audioPath(CLIPS.short.file);
  const long = audioPath(CLIPS.long.file);
  const contenders: Contender[] = targets.flatMap((t) => [
    { name: `${t.name} solo`, run: () => t.run(short, d) },
    {
      name: `${t.name} beside`,
      run: async () => {
        const longDone = t.run(long, d);
        await sleep(1000);
        const s = await t.run(short, d);
        await longDone;
        return s;
      },
    },
  ]);
  const load = await waitForQuiet('short beside long');
  try {
    const times = await interleave(contenders, REPS);
    report.add(
      `### ${CLIPS.short.file} (${CLIPS.short.seconds} s) submitted 1 s after ${CLIPS.long.file} (${CLIPS.long.seconds} s) started; ${d.name} — ${load}`,
      'Latency = submit → result, queue wait included (whisper-server: client-side HTTP time).',
      table(
        ['server', 'solo median s', 'beside long median s', 'beside ÷ solo', 'target ≤ 2×'],
        targets.map((t) => {
          const solo = median(times.get(`${t.name} solo`)!);
          const beside = median(times.get(`${t.name} beside`)!);
          return [t.name, fmt(solo), fmt(beside), `${fmt(beside / solo, 2)}×`, beside / solo <= 2 ? 'met' : 'missed'];
        }),
      ),
    );
  } finally {
    await Promise.all([c2.close(), c1.close(), server.close()]);
  }
}

export async function main(args: string[]): Promise<string> {
  const report = new Report(`Concurrency on ${cores} cores`).add(
    `Model tiny.en, language en, ${REPS} interleaved repetitions after 1 warm-up; engine timed in the worker around pool.withModel (queue wait included).`,
  );
  if (!args.length || args.includes('throughput')) await throughput(report);
  if (!args.length || args.includes('short')) await shortBesideLong(report);
  return report.toString();
}
