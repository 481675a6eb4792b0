/**
 * The long abort stress: 50 aborts at random points (encoder and decoder, greedy and beam 5) of
 * the 80 s clip on tiny.en, two neighbours transcribing jfk.wav on the same model meanwhile.
 * Args: [aborts=50] [seed=7].
 */
import { createFfmpegDecoder } from '../src/audio/ffmpeg.js';
import { createModelPool } from '../src/engine/pool.js';
import { createWhisperEngine } from '../src/engine/whisper.js';
import { abortStress } from '../test/support/abort-stress.js';
import { audioPath, tinyEn } from './lib/env.js';
import { Report } from './lib/report.js';
import { fmt, median, percentile, table } from './lib/stats.js';

export async function main(args: string[]): Promise<string> {
  const aborts = Number(args[0] ?? 50);
  const seed = Number(args[1] ?? 7);
  const engine = createWhisperEngine({ defaultThreads: 2 });
  const pool = createModelPool({
    engine,
    resolve: (name) => (name === 'tiny.en' ? { name, path: tinyEn(), multilingual: false, sizeBytes: 0 } : undefined),
    concurrency: 3,
    maxQueue: 8,
  });
  const decoder = createFfmpegDecoder();
  const { pcm } = await decoder.decodeFile(audioPath('long_concat_en_16k.wav'));
  const { pcm: neighbourPcm } = await decoder.decodeFile(audioPath('jfk.wav'));
  const started = performance.now();
  const r = await abortStress({ pool, model: 'tiny.en', pcm, neighbourPcm, aborts, neighbours: 2, threads: 2, maxDelayMs: 6000, seed });
  const closeStart = performance.now();
  await pool.close();
  const closeMs = performance.now() - closeStart;
  return new Report('Abort stress')
    .add(`${aborts} aborts (seed ${seed}) at uniform random points in the first 6 s of compute on the 80 s clip, tiny.en, alternating greedy and beam 5, ` +
      `2 neighbours transcribing jfk.wav on the same model (concurrency 3, 2 threads each). Total ${fmt((performance.now() - started) / 1000)} s.`)
    .add(table(['aborted', 'finished first', 'abort → slot free p50 (ms)', 'p95', 'max', 'neighbour runs', 'neighbour failures', 'pool.close() (ms)'], [[
      String(r.freeMs.length), String(r.finishedFirst), fmt(median(r.freeMs), 0), fmt(percentile(r.freeMs, 95), 0), fmt(percentile(r.freeMs, 100), 0),
      String(r.neighbourRuns), String(r.neighbourFailures), fmt(closeMs, 0),
    ]]))
    .toString();
}
