/**
 * A long buffer's VAD pass, split across cores. Silero scores one 32 ms frame after another on one
 * thread: about 180 ms for the 80 s clip and 0.8 s for six minutes on the bench machine, in front of
 * every long transcription, with the other cores idle. The buffer is cut at its quietest moment near
 * each even cut, the parts are scored at once on separate VAD contexts (each with its own LSTM
 * state, as a file's start has), and the spans that meet at a cut are joined again. Pure functions;
 * vad.ts runs the parts.
 */
import { SAMPLE_RATE, type SpeechSpan } from './types.js';

/** Shorter buffers take one pass: the split would save less than a context costs to set up. */
export const SPLIT_MIN_SECONDS = 60;
/** At most this many parts, and no part shorter than 30 s. */
export const MAX_PARTS = 4;
/** How far from an even cut the quietest moment is looked for. */
const SEARCH_SECONDS = 3;

/** How many parts a buffer of `samples` is scored in, given `cores`. */
export function vadParts(samples: number, cores: number): number {
  const seconds = samples / SAMPLE_RATE;
  if (seconds < SPLIT_MIN_SECONDS) return 1;
  return Math.max(1, Math.min(cores, MAX_PARTS, Math.floor(seconds / 30)));
}

/**
 * Where to cut the buffer into `parts`: sample indices, multiples of `frame`, ascending, inside
 * (0, length). Each is the middle of the quietest `frame`-aligned window (6 frames, 0.19 s) within
 * SEARCH_SECONDS of an even cut, so a cut rarely falls inside a word.
 */
export function cutPoints(pcm: Float32Array, parts: number, frame: number): number[] {
  const window = 6 * frame;
  const reach = Math.floor((SEARCH_SECONDS * SAMPLE_RATE) / frame) * frame;
  const cuts: number[] = [];
  for (let k = 1; k < parts; k++) {
    const even = Math.round((k * pcm.length) / parts / frame) * frame;
    let best = even;
    let bestEnergy = Infinity;
    for (let at = Math.max(frame, even - reach); at + window <= Math.min(pcm.length - frame, even + reach); at += frame) {
      let energy = 0;
      for (let i = at; i < at + window; i++) energy += pcm[i] * pcm[i];
      if (energy < bestEnergy) {
        bestEnergy = energy;
        best = at + Math.floor(window / 2 / frame) * frame;
      }
    }
    if (best > (cuts.at(-1) ?? 0) && best < pcm.length) cuts.push(best);
  }
  return cuts;
}

/**
 * The parts' spans (each already in the buffer's time base, in part order) as one list: the last
 * span before a cut and the first after it are joined when the silence between them is shorter
 * than `maxGap` seconds (speech that went on across the cut, or a pause the one pass would not have
 * split at).
 */
export function joinAtCuts(parts: SpeechSpan[][], maxGap: number): SpeechSpan[] {
  const out: SpeechSpan[] = [];
  for (const [k, spans] of parts.entries()) {
    for (const [i, span] of spans.entries()) {
      const last = out.at(-1);
      if (k > 0 && i === 0 && last && span.start - last.end < maxGap) {
        last.end = Math.max(last.end, span.end);
      } else {
        out.push({ ...span });
      }
    }
  }
  return out;
}
