/**
 * Build flags: the published flags (no SIMD, no OpenMP) vs -march=x86-64-v3 vs -march=native,
 * each with OpenMP on and off. Every variant runs in its own warm worker; runs interleave.
 * Needs `npm run bench -- build-variants` first.
 */
import { existsSync } from 'node:fs';
import { VARIANTS } from './build-variants.js';
import { startEngineWorker, type EngineWorker } from './lib/engine-client.js';
import { audioPath, CLIPS, REPS, variantAddon } from './lib/env.js';
import { interleave } from './lib/interleave.js';
import { waitForQuiet } from './lib/load.js';
import { Report } from './lib/report.js';
import { GREEDY } from './lib/settings.js';
import { fmt, median, table } from './lib/stats.js';

const BASE = 'x86-64-v3-omp1';

export async function main(args: string[]): Promise<string> {
  const threads = Number(process.env.BENCH_THREADS ?? 2);
  const variants = VARIANTS.filter((v) => (args.length ? args.includes(v.name) : true) && existsSync(variantAddon(v.name)));
  const report = new Report('Build flags (engine)').add(
    `Settings: tiny.en (ggml f16), ${GREEDY.name}, language en, ${threads} threads, ${REPS} interleaved repetitions after 1 warm-up. ` +
      `Time = engine.transcribe on decoded PCM (no model load, no ffmpeg). RTF = time / audio seconds.`,
  );
  const workers = new Map<string, EngineWorker>();
  for (const v of variants) workers.set(v.name, await startEngineWorker({ addon: variantAddon(v.name), concurrency: 2 }));
  try {
    for (const clip of [CLIPS.jfk, CLIPS.long]) {
      const load = await waitForQuiet(`flags ${clip.file}`);
      const times = await interleave(
        variants.map((v) => ({ name: v.name, run: async () => (await workers.get(v.name)!.transcribe(audioPath(clip.file), threads, GREEDY)).computeSeconds })),
        REPS,
      );
      const base = median(times.get(BASE) ?? [NaN]);
      const rows = variants.map((v) => {
        const m = median(times.get(v.name)!);
        return [v.name, v.march, v.openmp ? 'on' : 'off', fmt(m), fmt(m / clip.seconds, 4), `${fmt(m / base, 2)}×`];
      });
      report.add(`### ${clip.file} (${clip.seconds} s) — ${load}`, table(['variant', '-march', 'OpenMP', 'median s', 'RTF', `time vs ${BASE}`], rows));
    }
    // OpenMP under oversubscription: two requests at once, each asking for every core.
    const simd = variants.filter((v) => v.march !== 'none');
    const load = await waitForQuiet('flags concurrent');
    const times = await interleave(
      simd.map((v) => ({
        name: v.name,
        run: async () => {
          const t0 = performance.now();
          const w = workers.get(v.name)!;
          await Promise.all([0, 1].map(() => w.transcribe(audioPath(CLIPS.jfk.file), threads, GREEDY)));
          return (performance.now() - t0) / 1000;
        },
      })),
      REPS,
    );
    const base = median(times.get(BASE) ?? [NaN]);
    report.add(
      `### 2 × jfk.wav at once, ${threads} threads each (oversubscribed: ${2 * threads} threads on ${threads} cores) — ${load}`,
      table(['variant', 'OpenMP', 'median wall s (both done)', `vs ${BASE}`], simd.map((v) => {
        const m = median(times.get(v.name)!);
        return [v.name, v.openmp ? 'on' : 'off', fmt(m), `${fmt(m / base, 2)}×`];
      })),
    );
  } finally {
    await Promise.all([...workers.values()].map((w) => w.close()));
  }
  return report.toString();
}
