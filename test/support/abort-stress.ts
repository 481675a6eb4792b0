/**
 * Aborts at random points of real transcriptions while neighbours keep the same model busy.
 * Shared by the CI test (test/engine/abort-stress.test.ts, short) and the bench (bench/abort-stress.ts, 50).
 */
import type { ModelPool } from '../../src/engine/types.js';
import { mulberry32 } from './random.js';

export interface AbortStressOptions {
  pool: ModelPool;
  model: string;
  /** The clip each aborted job transcribes (long, so every point of the decode is reachable). */
  pcm: Float32Array;
  /** A short clip the neighbours transcribe in a loop meanwhile. */
  neighbourPcm: Float32Array;
  aborts: number;
  neighbours: number;
  /** Aborts land uniformly in [0, maxDelayMs) after the job starts computing. */
  maxDelayMs: number;
  /**
   * whisper.cpp threads per job (default 1). The server's default is cores / POOL_CONCURRENCY, so
   * jobs never oversubscribe the cores; with more, ggml's spinning barriers stretch every graph
   * node, and an abort can only land between nodes.
   */
  threads?: number;
  seed?: number;
}

export interface AbortStressResult {
  /** abort() → the job's promise settled (its slot is free again), ms, one per aborted job. */
  freeMs: number[];
  /** Jobs that finished before their abort fired. */
  finishedFirst: number;
  neighbourRuns: number;
  neighbourFailures: number;
}

export async function abortStress(o: AbortStressOptions): Promise<AbortStressResult> {
  // Deterministic, so a failing point can be replayed.
  const random = mulberry32(o.seed ?? 7);
  const result: AbortStressResult = { freeMs: [], finishedFirst: 0, neighbourRuns: 0, neighbourFailures: 0 };
  let stop = false;
  const neighbour = async () => {
    while (!stop) {
      try {
        await o.pool.withModel(o.model, undefined, (m, signal) => m.transcribe(o.neighbourPcm, { beamSize: 1, threads: o.threads ?? 1 }, { signal }));
        result.neighbourRuns++;
      } catch {
        result.neighbourFailures++;
      }
    }
  };
  const neighbours = Array.from({ length: o.neighbours }, neighbour);
  try {
    for (let i = 0; i < o.aborts; i++) {
      const delay = random() * o.maxDelayMs;
      const ac = new AbortController();
      let abortedAt = 0;
      let timer: NodeJS.Timeout | undefined;
      const job = o.pool.withModel(o.model, ac.signal, (m, signal) => {
        timer = setTimeout(() => {
          abortedAt = performance.now();
          ac.abort();
        }, delay);
        // Alternate greedy and beam search: their decoders differ.
        return m.transcribe(o.pcm, { beamSize: i % 2 ? 5 : 1, threads: o.threads ?? 1 }, { signal });
      });
      const outcome = await job.then(() => 'done', (err: { code?: string }) => err.code ?? 'error');
      clearTimeout(timer);
      if (outcome === 'done') result.finishedFirst++;
      else if (outcome === 'request_cancelled') result.freeMs.push(performance.now() - abortedAt);
      else throw new Error(`abort ${i} (delay ${delay.toFixed(0)} ms) failed with ${outcome}`);
    }
  } finally {
    stop = true;
    await Promise.all(neighbours);
  }
  return result;
}
