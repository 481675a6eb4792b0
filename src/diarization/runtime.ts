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

/**
 * ONNX Runtime's intra-op threads spin while they wait for work by default: on these small models a
 * second spinning thread cost 50-60 % more CPU. Without the spin it costs none (falcon: 254 against
 * 232-248 ms CPU) and the wall time falls to 0.75x (161-168 against 211-228 ms), BENCHMARKS.md.
 */
const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' } } };

export async function openSession(path: string, opts: SessionOptions = {}): Promise<InferenceSession> {
  const { InferenceSession } = await loadOrt();
  return InferenceSession.create(path, {
    intraOpNumThreads: opts.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    logSeverityLevel: 3,
    extra: NO_SPINNING,
  });
}
