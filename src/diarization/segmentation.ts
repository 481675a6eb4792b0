import type { InferenceSession } from 'onnxruntime-node';
import { loadOrt } from './runtime.js';

/**
 * pyannote segmentation-3.0 over sliding 10 s windows. The model answers, for
 * each of 589 frames of a window (a 270-sample hop), one of 7 "powerset"
 * classes: nobody, one of 3 local speakers, or one of the 3 pairs. Local
 * speaker k of one window and k of the next are unrelated: stitching them is
 * the caller's job (by embeddings). Decoded here to per-frame activity.
 */
export const WINDOW_SAMPLES = 160_000;
export const FRAME_HOP = 270;
/** Each frame sees 991 samples (the SincNet + pooling receptive field); its centre is this far in. */
export const FRAME_CENTRE = 495;
export const LOCAL_SPEAKERS = 3;
/** Powerset class → bit mask of active local speakers. */
const POWERSET = [0b000, 0b001, 0b010, 0b100, 0b011, 0b101, 0b110];

export interface WindowActivity {
  /** First sample of the window in the input. */
  start: number;
  /** Frames of the window that lie inside the input. */
  frames: number;
  /** Bit mask of active local speakers per frame. */
  active: Uint8Array;
}

/**
 * The longest hop between windows: ≈ 8.8 s, so windows overlap by 1.2 s or more. An 18.6 s file takes 2 windows,
 * where a hop of ≈ 7.5 s took 3 (0.64x the segmentation time), at the same accuracy on the mix and falcon; at ≈ 5 s
 * (every frame in two windows) the same accuracy cost 1.5-1.7x the time (BENCHMARKS.md, "Speaker diarization").
 */
export const DEFAULT_MAX_STEP = 520 * FRAME_HOP;

export interface SegmentationOptions {
  /** The longest hop between windows in samples (windowStarts spreads them evenly); default DEFAULT_MAX_STEP. */
  maxStep?: number;
  signal?: AbortSignal;
}

/**
 * The fewest windows that cover the input with no hop longer than `maxStep`, spread evenly on the
 * frame grid: the first starts at 0 and the last ends at the input's end (one frame past it at most).
 * Spreading them, rather than stepping at maxStep and adding one more window aligned to the end,
 * spares a short file that extra window (an 18.6 s file: 2 windows, not 3).
 */
export function windowStarts(length: number, maxStep: number): number[] {
  if (length <= WINDOW_SAMPLES) return [0];
  const lastFrame = Math.ceil((length - WINDOW_SAMPLES) / FRAME_HOP);
  const hops = Math.ceil((lastFrame * FRAME_HOP) / maxStep);
  return Array.from({ length: hops + 1 }, (_, i) => Math.round((i * lastFrame) / hops) * FRAME_HOP);
}

export class Segmenter {
  constructor(private readonly session: InferenceSession) {}

  async run(pcm: Float32Array, opts: SegmentationOptions = {}): Promise<WindowActivity[]> {
    const { Tensor } = await loadOrt();
    const starts = windowStarts(pcm.length, opts.maxStep ?? DEFAULT_MAX_STEP);
    const out: WindowActivity[] = [];
    const BATCH = 4;
    for (let b = 0; b < starts.length; b += BATCH) {
      opts.signal?.throwIfAborted();
      const batch = starts.slice(b, b + BATCH);
      const input = new Float32Array(batch.length * WINDOW_SAMPLES);
      batch.forEach((s, i) => input.set(pcm.subarray(s, s + WINDOW_SAMPLES), i * WINDOW_SAMPLES));
      const res = await this.session.run({ input: new Tensor('float32', input, [batch.length, 1, WINDOW_SAMPLES]) });
      const logits = res.output;
      const [, nFrames, nClasses] = logits.dims as number[];
      const data = logits.data as Float32Array;
      batch.forEach((start, i) => {
        const inside = Math.min(nFrames, Math.max(0, Math.floor((pcm.length - start - FRAME_CENTRE) / FRAME_HOP) + 1));
        const active = new Uint8Array(nFrames);
        for (let f = 0; f < nFrames; f++) {
          const row = (i * nFrames + f) * nClasses;
          let best = 0;
          for (let c = 1; c < nClasses; c++) if (data[row + c] > data[row + best]) best = c;
          active[f] = POWERSET[best];
        }
        out.push({ start, frames: inside, active });
      });
    }
    return out;
  }
}
