/**
 * Does faster-whisper's lead come partly from its settings? faster-whisper int8 (tiny.en) under
 * the pinned settings bench/faster-whisper.ts uses (cpu_threads = OMP_NUM_THREADS = the engine's
 * threads, num_workers 1) against its own defaults (cpu_threads 0, nothing pinned), libgomp's wait
 * policy passive / active, and num_workers 2, with the engine (f16) in the same interleaved rounds
 * as the yardstick. Args: greedy/beam5, jfk/long (default: all); no-engine drops the yardstick on
 * the 80 s clip, where it costs the most time. BENCH_REPS defaults to 3 here.
 */
import { readFileSync } from 'node:fs';
import { startEngineWorker } from './lib/engine-client.js';
import { audioPath, CLIPS } from './lib/env.js';
import { type FwOptions, type FwWorker, startFw } from './lib/faster-whisper.js';
import { interleave, type Contender } from './lib/interleave.js';
import { waitForQuiet } from './lib/load.js';
import { Report } from './lib/report.js';
import { pickArgs } from './lib/settings.js';
import { fmt, median, table } from './lib/stats.js';

const THREADS = 2;
const REPS = Number(process.env.BENCH_REPS ?? 3);
// Unset in the defaults, so the parent's environment cannot leak a policy into them.
const NO_POLICY = { OMP_WAIT_POLICY: undefined, GOMP_SPINCOUNT: undefined };

const CONFIGS: { name: string; opts: FwOptions }[] = [
  { name: `pinned: cpu_threads=${THREADS}, OMP_NUM_THREADS=${THREADS} (the bench)`, opts: { env: NO_POLICY } },
  { name: 'defaults: cpu_threads=0, OMP_NUM_THREADS unset', opts: { unpinned: true, env: NO_POLICY } },
  { name: 'pinned + OMP_WAIT_POLICY=passive', opts: { env: { ...NO_POLICY, OMP_WAIT_POLICY: 'passive' } } },
  { name: 'pinned + OMP_WAIT_POLICY=active', opts: { env: { ...NO_POLICY, OMP_WAIT_POLICY: 'active' } } },
  { name: 'pinned + num_workers=2', opts: { numWorkers: 2, env: NO_POLICY } },
];

/** OS threads in a process: what cpu_threads=0 resolved to shows up here. */
function threadsOf(pid: number): string {
  try {
    return /^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
  } catch {
    return '?';
  }
}

export async function main(args: string[]): Promise<string> {
  const pick = pickArgs(args, ['jfk', 'long'] as const, [THREADS]);
  const report = new Report('faster-whisper settings check').add(
    `faster-whisper int8, tiny.en (CT2), ${THREADS}-thread engine (ggml f16) as the yardstick in the same rounds; ` +
      `${REPS} interleaved repetitions after 1 warm-up; each configuration is its own long-lived worker process.`,
  );
  const engine = await startEngineWorker();
  const workers: FwWorker[] = [];
  try {
    for (const c of CONFIGS) workers.push(await startFw('int8', THREADS, c.opts));
    for (const d of pick.decodings) {
      for (const clip of pick.clips.map((c) => CLIPS[c])) {
        const file = audioPath(clip.file);
        const load = await waitForQuiet(`fw-settings ${d.name} ${clip.file}`);
        const withEngine = !(args.includes('no-engine') && clip === CLIPS.long);
        const contenders: Contender[] = [
          ...(withEngine ? [{ name: `engine f16, ${THREADS} threads`, run: async () => (await engine.transcribe(file, THREADS, d)).computeSeconds }] : []),
          ...CONFIGS.map((c, i) => ({ name: `fw int8 ${c.name}`, run: async () => (await workers[i].transcribe(file, d)).seconds })),
        ];
        const times = await interleave(contenders, REPS);
        const fw0 = withEngine ? 1 : 0;
        const base = median(times.get(contenders[fw0].name)!);
        const eng = withEngine ? median(times.get(contenders[0].name)!) : NaN;
        report.add(
          `### ${d.name}, ${clip.file} (${clip.seconds} s) — ${load}, after: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
          table(
            ['contender', 'OS threads', 'median s', 'runs', 'this ÷ pinned fw', 'engine ÷ this (fw lead)'],
            contenders.map((c, i) => {
              const m = median(times.get(c.name)!);
              const isEngine = i < fw0;
              const pid = isEngine ? engine.pid : workers[i - fw0].pid;
              const lead = isEngine || !withEngine ? '' : `${fmt(eng / m, 2)}×`;
              return [c.name, threadsOf(pid), fmt(m), times.get(c.name)!.map((x) => fmt(x, 2)).join(' '), isEngine ? '' : `${fmt(m / base, 2)}×`, lead];
            }),
          ),
        );
      }
    }
  } finally {
    await Promise.all([engine.close(), ...workers.map((w) => w.close())]);
  }
  return report.toString();
}
