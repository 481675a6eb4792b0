import { existsSync } from 'node:fs';
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
   * ONNX Runtime threads per model run. Default 1: measured, a second thread saves little wall time on
   * these small models and costs 50–60 % more CPU (its pool spins), CPU that whisper, running beside
   * it, wants (BENCHMARKS.md, "Speaker diarization").
   */
  threads?: number;
  tuning?: Partial<DiarizerTuning>;
  /** GE2E partials per second of speech (see Ge2eEmbedder). */
  embeddingRate?: number;
}

/**
 * The model-based diarizer, or undefined when its models are not installed
 * (the caller then answers diarization requests with a 400 naming IMPORT_COMMAND).
 * A present but unreadable model is an error, not a silent undefined.
 */
export async function loadDiarizer(modelsDir: string, opts: LoadDiarizerOptions = {}): Promise<(Diarizer & { close(): Promise<void> }) | undefined> {
  const paths = diarizationModelPaths(modelsDir);
  if (!existsSync(paths.segmentation) || !existsSync(paths.embedding)) return undefined;
  const threads = opts.threads ?? 1;
  const [seg, emb] = await Promise.all([openSession(paths.segmentation, { threads }), openSession(paths.embedding, { threads })]);
  const diarizer = createDiarizer({ segmenter: new Segmenter(seg), embedder: new Ge2eEmbedder(emb, { rate: opts.embeddingRate }), tuning: opts.tuning });
  return {
    diarize: (pcm, o) => diarizer.diarize(pcm, o),
    close: async () => {
      await Promise.all([seg.release(), emb.release()]);
    },
  };
}
