import type { InferenceSession } from 'onnxruntime-node';

/**
 * The one import of onnxruntime-node, loaded on first use: a server without
 * the diarization models never pays for the native runtime.
 */
export type Ort = typeof import('onnxruntime-node');

let ort: Promise<Ort> | undefined;
export function loadOrt(): Promise<Ort> {
  ort ??= import('onnxruntime-node');
  return ort;
}

export interface SessionOptions {
  /** Threads for one inference; whisper shares the machine, so the default is small. */
  threads?: number;
}

export async function openSession(path: string, opts: SessionOptions = {}): Promise<InferenceSession> {
  const { InferenceSession } = await loadOrt();
  return InferenceSession.create(path, {
    intraOpNumThreads: opts.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    logSeverityLevel: 3,
  });
}
