/**
 * Our engine vs faster-whisper (CTranslate2, CPU) on the same weights: tiny.en as CT2 float16
 * (FW_MODEL_DIR), from which models/ggml-tiny.en.bin was imported. faster-whisper runs with
 * compute_type int8 and float32, cpu_threads = engine threads, vad off, word timestamps off,
 * condition_on_previous_text=True (see fw_worker.py for why that matches whisper.cpp).
 * Args: thread counts (default 2), greedy/beam5, jfk/long (default: all).
 */
import { startEngineWorker, type EngineWorker } from './lib/engine-client.js';
import { audioPath, CLIPS, REPS, tinyEnQ8 } from './lib/env.js';
import { startFw } from './lib/faster-whisper.js';
import { interleave, type Contender } from './lib/interleave.js';
import { waitForQuiet } from './lib/load.js';
import { Report } from './lib/report.js';
import { pickArgs } from './lib/settings.js';
import { fmt, median, table } from './lib/stats.js';

export async function main(args: string[]): Promise<string> {
  const pick = pickArgs(args, ['jfk', 'long'] as const, [2]);
  const threadCounts = pick.threads;
  const report = new Report('Engine vs faster-whisper').add(
    `Weights: tiny.en, CT2 float16 for faster-whisper (quantised/converted on load to int8 / float32) and the ggml f16 import of the same file for the engine. ` +
      `Language en, temperature fallback 0→1 step 0.2 on both (thresholds: whisper.cpp entropy 2.4 / logprob −1; faster-whisper compression ratio 2.4 / logprob −1), ` +
      `${REPS} interleaved repetitions after 1 warm-up. Both timed around transcription of already-decoded audio (mel + encode + decode).`,
  );
  const engine = await startEngineWorker();
  // With BENCH_TINY_EN_Q8 set: the engine on 8-bit weights too, the closest match to int8.
  const q8 = tinyEnQ8();
  const engineQ8: EngineWorker | undefined = q8 ? await startEngineWorker({ model: q8 }) : undefined;
  try {
    for (const threads of threadCounts) {
      const int8 = await startFw('int8', threads);
      const f32 = await startFw('float32', threads);
      try {
        for (const d of pick.decodings) {
          for (const clip of pick.clips.map((c) => CLIPS[c])) {
            const file = audioPath(clip.file);
            const load = await waitForQuiet(`fw t${threads} ${d.name} ${clip.file}`);
            const contenders: Contender[] = [
              { name: 'engine (ggml f16)', run: async () => (await engine.transcribe(file, threads, d)).computeSeconds },
              ...(engineQ8 ? [{ name: 'engine (ggml q8_0)', run: async () => (await engineQ8.transcribe(file, threads, d)).computeSeconds }] : []),
              { name: 'faster-whisper int8', run: async () => (await int8.transcribe(file, d)).seconds },
              { name: 'faster-whisper float32', run: async () => (await f32.transcribe(file, d)).seconds },
            ];
            const times = await interleave(contenders, REPS);
            const eng = median(times.get(contenders[0].name)!);
            report.add(
              `### ${threads} thread(s), ${d.name}, ${clip.file} (${clip.seconds} s) — ${load}`,
              table(
                ['contender', 'median s', 'RTF', 'this ÷ engine (speed-up of engine)'],
                contenders.map((c) => {
                  const m = median(times.get(c.name)!);
                  return [c.name, fmt(m), fmt(m / clip.seconds, 4), `${fmt(m / eng, 2)}×`];
                }),
              ),
            );
          }
        }
      } finally {
        await Promise.all([int8.close(), f32.close()]);
      }
    }
  } finally {
    await Promise.all([engine.close(), engineQ8?.close()]);
  }
  return report.toString();
}
