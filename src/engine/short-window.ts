/**
 * Short clips: encode only what they need. whisper.cpp's encoder always runs a 30 s window (1500
 * frames) unless audio_ctx says fewer; an 11 s clip then costs as much as 30 s. Shrunk to the bare
 * clip, tiny models lose words (the decoder never saw that short a context in training), so the
 * window keeps a floor and a margin, chosen by measured WER (BENCHMARKS.md, "Short window").
 */
import { SAMPLE_RATE } from './types.js';

export interface ShortWindowPolicy {
  /** The window never gets shorter than this. */
  floorSeconds: number;
  /** Added after the audio, so the last word is never at the edge. */
  marginSeconds: number;
}

export const SHORT_WINDOW: ShortWindowPolicy = { floorSeconds: 10, marginSeconds: 2 };

const FRAMES_PER_SECOND = 50;
const FULL_WINDOW = 1500;

/**
 * Encoder frames for `samples` of 16 kHz audio, or undefined (the full window) when the clip with
 * its margin fills the window anyway.
 */
export function shortWindowFrames(samples: number, policy: ShortWindowPolicy = SHORT_WINDOW): number | undefined {
  const seconds = Math.max(samples / SAMPLE_RATE, policy.floorSeconds) + policy.marginSeconds;
  const frames = Math.ceil(seconds * FRAMES_PER_SECOND);
  return frames < FULL_WINDOW ? frames : undefined;
}

/**
 * The same policy in encoder frames, for whisper.cpp's later windows of one call (the patch's
 * audio_ctx_floor / audio_ctx_margin): when a decode stops before the end of its audio, the rest is
 * read again from the last timestamp on a window sized to what is left, not to the whole chunk.
 */
export function continuedWindowFrames(policy: ShortWindowPolicy = SHORT_WINDOW): { floor: number; margin: number } {
  return { floor: Math.ceil(policy.floorSeconds * FRAMES_PER_SECOND), margin: Math.ceil(policy.marginSeconds * FRAMES_PER_SECOND) };
}
