import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type DiarizerTuning, createDiarizer } from './diarizer.js';
import { Ge2eEmbedder } from './embedder.js';
import { openSession } from './runtime.js';
import { Segmenter } from './segmentation.js';
import type { Diarizer } from './types.js';

/** The files `npm run models -- import-diarization` writes into the models directory. */
export const SEGMENTATION_FILE = 'pyannote-segmentation-3.0.onnx';
export const EMBEDDING_FILE = 'resemblyzer-ge2e.onnx';
export const IMPORT_COMMAND = 'npm run models -- import-diarization';

export function diarizationModelPaths(modelsDir: string): { segmentation: string; embedding: string } {
  return { segmentation: join(modelsDir, SEGMENTATION_FILE), embedding: join(modelsDir, EMBEDDING_FILE) };
}

export interface LoadDiarizerOptions {
  /**
   * ONNX Runtime threads per model run. Default 2 where the machine has them: with the thread pool's
   * spinning off (runtime.ts) the second thread takes no more CPU and the diarization of falcon runs in
   * 0.75x the wall time; spinning, it had cost 50-60 % more CPU, CPU that whisper, running beside it,
   * wants (BENCHMARKS.md, "Speaker diarization").
   */
  threads?: number;
  tuning?: Partial<DiarizerTuning>;
  /** GE2E partials per second of speech (see Ge2eEmbedder). */
  embeddingRate?: number;
}

/**
 * The model-based diarizer, or undefined when its models are not installed
 * (the caller then answers diarization requests with a 400 naming IMPORT_COMMAND).
 * The ONNX sessions open on the first diarize call, not at start-up: a server that never diarizes
 * keeps its idle memory (the HTTP server with tiny.en: 247 MiB, against 268 MiB with them open). A present but
 * unreadable model fails that first call, and the next call tries again.
 */
export async function loadDiarizer(modelsDir: string, opts: LoadDiarizerOptions = {}): Promise<(Diarizer & { close(): Promise<void> }) | undefined> {
  const paths = diarizationModelPaths(modelsDir);
  if (!existsSync(paths.segmentation) || !existsSync(paths.embedding)) return undefined;
  const threads = opts.threads ?? Math.min(2, availableParallelism());
  let opened: Promise<{ diarizer: Diarizer; close(): Promise<void> }> | undefined;
  const open = () =>
    (opened ??= Promise.all([openSession(paths.segmentation, { threads }), openSession(paths.embedding, { threads })]).then(
      ([seg, emb]) => ({
        diarizer: createDiarizer({ segmenter: new Segmenter(seg), embedder: new Ge2eEmbedder(emb, { rate: opts.embeddingRate }), tuning: opts.tuning }),
        close: async () => void (await Promise.all([seg.release(), emb.release()])),
      }),
      (err: unknown) => {
        opened = undefined;
        throw err;
      },
    ));
  return {
    diarize: async (pcm, o) => (await open()).diarizer.diarize(pcm, o),
    close: async () => {
      const sessions = await opened?.catch(() => undefined);
      opened = undefined;
      await sessions?.close();
    },
  };
}
