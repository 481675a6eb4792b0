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
  /** ONNX Runtime threads per model run (default: half the cores, at most 4; whisper runs beside it). */
  threads?: number;
  tuning?: Partial<DiarizerTuning>;
}

/**
 * The model-based diarizer, or undefined when its models are not installed
 * (the caller then answers diarization requests with a 400 naming IMPORT_COMMAND).
 * A present but unreadable model is an error, not a silent undefined.
 */
export async function loadDiarizer(modelsDir: string, opts: LoadDiarizerOptions = {}): Promise<(Diarizer & { close(): Promise<void> }) | undefined> {
  const paths = diarizationModelPaths(modelsDir);
  if (!existsSync(paths.segmentation) || !existsSync(paths.embedding)) return undefined;
  const threads = opts.threads ?? Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)));
  const [seg, emb] = await Promise.all([openSession(paths.segmentation, { threads }), openSession(paths.embedding, { threads })]);
  const diarizer = createDiarizer({ segmenter: new Segmenter(seg), embedder: new Ge2eEmbedder(emb), tuning: opts.tuning });
  return {
    diarize: (pcm, o) => diarizer.diarize(pcm, o),
    close: async () => {
      await Promise.all([seg.release(), emb.release()]);
    },
  };
}
