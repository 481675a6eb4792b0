import type { InferenceSession } from 'onnxruntime-node';
import { Ge2eMel, HOP, N_MELS, SAMPLE_RATE, normalizeVolume } from './ge2e-mel.js';
import { loadOrt } from './runtime.js';

/**
 * Speaker embeddings from the GE2E encoder (the ONNX graph the models CLI
 * converts from Resemblyzer): the utterance is cut into 1.6 s partials
 * (160 mel frames), each is embedded, and the L2-normalised mean is the
 * utterance's embedding — Resemblyzer's embed_utterance, with the partial
 * rate as a cost knob.
 */
export const PARTIAL_FRAMES = 160;
export const EMBEDDING_DIM = 256;

export interface EmbedderOptions {
  /** Partials per second of audio; 0.625 tiles 1.6 s partials with no overlap. Resemblyzer uses 1.3. */
  rate?: number;
  /** A trailing partial is kept when at least this share of it is audio. */
  minCoverage?: number;
}

export class Ge2eEmbedder {
  private readonly mel = new Ge2eMel();
  private readonly rate: number;
  private readonly minCoverage: number;

  constructor(private readonly session: InferenceSession, opts: EmbedderOptions = {}) {
    this.rate = opts.rate ?? 1.3;
    this.minCoverage = opts.minCoverage ?? 0.75;
  }

  /**
   * Embeds several utterances, their partials batched together; each result is
   * L2-normalised. Partials are made as batches fill, so memory stays at one
   * batch of mels however long the input.
   */
  async embed(utterances: Float32Array[], signal?: AbortSignal): Promise<Float32Array[]> {
    const { Tensor } = await loadOrt();
    const sums = utterances.map(() => new Float32Array(EMBEDDING_DIM));
    const BATCH = 64;
    const SIZE = PARTIAL_FRAMES * N_MELS;
    const input = new Float32Array(BATCH * SIZE);
    const owners: number[] = [];
    const flush = async () => {
      if (owners.length === 0) return;
      signal?.throwIfAborted();
      const n = owners.length;
      const out = await this.session.run({ mels: new Tensor('float32', input.subarray(0, n * SIZE), [n, PARTIAL_FRAMES, N_MELS]) });
      const emb = out.embedding.data as Float32Array;
      owners.forEach((utt, i) => {
        const sum = sums[utt];
        for (let d = 0; d < EMBEDDING_DIM; d++) sum[d] += emb[i * EMBEDDING_DIM + d];
      });
      owners.length = 0;
    };
    for (const [utt, wav] of utterances.entries()) {
      if (wav.length === 0) continue;
      for (const mel of this.partials(normalizeVolume(wav))) {
        input.set(mel, owners.length * SIZE);
        owners.push(utt);
        if (owners.length === BATCH) await flush();
      }
    }
    await flush();
    return sums.map(l2normalize);
  }

  /** Resemblyzer's compute_partial_slices over a zero-padded waveform. */
  private *partials(wav: Float32Array): Generator<Float32Array> {
    const nFrames = Math.ceil((wav.length + 1) / HOP);
    const step = Math.max(1, Math.min(PARTIAL_FRAMES, Math.round(SAMPLE_RATE / this.rate / HOP)));
    const starts: number[] = [];
    for (let i = 0; i < Math.max(1, nFrames - PARTIAL_FRAMES + step + 1); i += step) starts.push(i);
    const last = starts[starts.length - 1] * HOP;
    if (starts.length > 1 && (wav.length - last) / (PARTIAL_FRAMES * HOP) < this.minCoverage) starts.pop();
    const need = (starts[starts.length - 1] + PARTIAL_FRAMES) * HOP;
    const padded = need > wav.length ? concatZeros(wav, need - wav.length) : wav;
    const { data, frames } = this.mel.compute(padded);
    for (const s of starts) {
      const out = new Float32Array(PARTIAL_FRAMES * N_MELS);
      out.set(data.subarray(s * N_MELS, Math.min(frames, s + PARTIAL_FRAMES) * N_MELS));
      yield out;
    }
  }
}

function concatZeros(wav: Float32Array, n: number): Float32Array {
  const out = new Float32Array(wav.length + n);
  out.set(wav);
  return out;
}

export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += a[i] * b[i];
  return d;
}
