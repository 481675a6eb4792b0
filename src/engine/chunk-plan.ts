/**
 * How a long file is cut and scheduled (the planning half of the long-form path, long-form.ts):
 * Silero's speech spans merged into chunks of at most ~28 s cut in the longest pauses, about even
 * over the states that decode at once, each started with a short lead-in, and started longest first.
 * Pure functions of the spans and the thread budget.
 */
import type { SpeechSpan } from './types.js';

export interface LongFormPolicy {
  /** Files at least this long are chunked; shorter ones fit one window anyway. */
  minSeconds: number;
  /** A chunk never spans more than this (room for the short window's margin inside 30 s). */
  maxChunkSeconds: number;
  /**
   * Chunks decoding at once by default. Each holds a whisper_state (tiny.en: ~30 MB; large: ~300 MB
   * of KV caches), so a many-core machine gets a few states of several threads each, not one per core.
   */
  maxWorkers: number;
  /**
   * Seconds of the pause before a chunk that it starts with (never reaching into the chunk before).
   * Chosen by measurement: on tiny.en, greedy, the 80 s clip and the exact clips joined, each cut by
   * five chunk plans, the ten readings held 88 word errors with the chunks starting where Silero's
   * padded span starts, 74 with 0.2 s more, 66–68 with 0.3 s (at the start alone, or at both ends),
   * 71 with 0.4 s and 91 with 0.7 s (BENCHMARKS.md, "Chunks start with a lead-in"). Padding the end
   * instead bought nothing (86).
   */
  leadInSeconds: number;
}

export const LONG_FORM: LongFormPolicy = { minSeconds: 30, maxChunkSeconds: 28, maxWorkers: 4, leadInSeconds: 0.3 };

/**
 * Seconds of audio: speech spans merged into chunks of at most `max` s, cut in the pauses between
 * them. As many chunks as the greedy merge needs, or with `parts` > 1 (the chunks that will decode
 * at once) that count rounded up to a multiple of `parts` where the pauses allow. Where the cuts
 * fall: in the longest pauses, each chunk holding 0.5–1.5× an even share of the speech, so that no
 * state is left decoding a long last chunk alone while the others idle (80 s clip on 2 states: 24
 * + 26 + 25 + 4 s became 17.5 + 13.5 + 28 + 20 s). Where the rounded-up count cannot hold even
 * shares, the greedy count; where that cannot either, the greedy merge itself.
 */
export function planChunks(spans: SpeechSpan[], duration: number, max = LONG_FORM.maxChunkSeconds, parts = 1): SpeechSpan[] {
  const pieces = speechPieces(spans, duration, max);
  const greedy = mergeUpTo(pieces, max);
  const count = parts > 1 ? Math.min(pieces.length, Math.ceil(greedy.length / parts) * parts) : greedy.length;
  const plan = cutAtLongestPauses(pieces, count, max);
  if (plan || count === greedy.length) return plan ?? greedy;
  return cutAtLongestPauses(pieces, greedy.length, max) ?? greedy;
}

/**
 * A chunk's speech within these multiples of the even share. Chosen with the pause rule below on
 * tiny.en, greedy: the 80 s clip, the exact clips joined and six held-out joins of them in random
 * orders with random pauses held 60 word errors cut where the even shares fell, 52 with
 * 0.5–1.5×, 54 with 0.3–2×, 57 with 0.6–1.4×; on six more joins drawn afterwards, 71 against 62
 * (BENCHMARKS.md, "Chunks cut in the longest pauses").
 */
const BALANCE: [number, number] = [0.5, 1.5];
/** A pause this long ends a sentence; a longer one is no better a place to cut. */
const FULL_PAUSE_SECONDS = 1;
/** Among plans whose cuts pause alike, the more even one: a second of imbalance weighs 1/100 s of pause. */
const IMBALANCE_WEIGHT = 0.01;

/**
 * `count` chunks of whole pieces, each spanning at most `max` s and holding BALANCE × the even
 * share of speech, whose cuts fall in the longest pauses: dynamic programming over the pieces,
 * maximising the cut pauses' summed length (each counted up to FULL_PAUSE_SECONDS). A cut inside
 * speech (a span cut into pieces) has no pause and is taken only where nothing else fits.
 * Undefined where no plan meets the bounds.
 */
function cutAtLongestPauses(pieces: SpeechSpan[], count: number, max: number): SpeechSpan[] | undefined {
  const n = pieces.length;
  if (!n || count < 1 || count > n) return undefined;
  const speechBefore = [0];
  for (const p of pieces) speechBefore.push(speechBefore.at(-1)! + (p.end - p.start));
  const share = speechBefore[n] / count;
  const [lo, hi] = BALANCE.map((f) => f * share);
  const pauseAfter = (j: number) => (j < n ? Math.min(FULL_PAUSE_SECONDS, Math.max(0, pieces[j].start - pieces[j - 1].end)) : 0);
  // best[k][j]: the best score of k chunks covering pieces [0, j); from[k][j]: where the last one starts.
  const best = Array.from({ length: count + 1 }, () => new Float64Array(n + 1).fill(-Infinity));
  const from = Array.from({ length: count + 1 }, () => new Int32Array(n + 1).fill(-1));
  best[0][0] = 0;
  for (let k = 1; k <= count; k++) {
    for (let j = k; j <= n; j++) {
      for (let i = j - 1; i >= k - 1 && pieces[j - 1].end - pieces[i].start <= max; i--) {
        const speech = speechBefore[j] - speechBefore[i];
        if (best[k - 1][i] === -Infinity || speech < lo || speech > hi) continue;
        const score = best[k - 1][i] + pauseAfter(j) - IMBALANCE_WEIGHT * Math.abs(speech - share);
        if (score > best[k][j]) {
          best[k][j] = score;
          from[k][j] = i;
        }
      }
    }
  }
  if (best[count][n] === -Infinity) return undefined;
  const chunks: SpeechSpan[] = [];
  for (let k = count, j = n; k > 0; j = from[k][j], k--) chunks.unshift({ start: pieces[from[k][j]].start, end: pieces[j - 1].end });
  return chunks;
}

/** The spans, clamped to the audio, a span longer than a chunk cut into equal pieces (Silero found no pause to cut at). */
function speechPieces(spans: SpeechSpan[], duration: number, max: number): SpeechSpan[] {
  const pieces: SpeechSpan[] = [];
  for (const span of spans) {
    const s = { start: Math.max(0, span.start), end: Math.min(duration, span.end) };
    if (s.end <= s.start) continue;
    const n = Math.ceil((s.end - s.start) / max);
    for (let i = 0; i < n; i++) pieces.push({ start: s.start + ((s.end - s.start) * i) / n, end: s.start + ((s.end - s.start) * (i + 1)) / n });
  }
  return pieces;
}

/** Each chunk started up to `seconds` earlier, into the pause before it, never before the chunk before it ends. */
export function withLeadIn(chunks: SpeechSpan[], seconds = LONG_FORM.leadInSeconds): SpeechSpan[] {
  return chunks.map((c, i) => ({ start: Math.max(i ? chunks[i - 1].end : 0, c.start - seconds, 0), end: c.end }));
}

/** Fewest chunks: each piece joins the current chunk while the chunk stays within `max`. */
function mergeUpTo(pieces: SpeechSpan[], max: number): SpeechSpan[] {
  const chunks: SpeechSpan[] = [];
  for (const piece of pieces) {
    const current = chunks.at(-1);
    if (current && piece.end - current.start <= max) current.end = piece.end;
    else chunks.push({ ...piece });
  }
  return chunks;
}

/**
 * How many chunks decode at once, and with how many threads each, from the CPU threads the request
 * was given. One state per thread: on 2 cores two chunks on 1 thread each finish in 0.61× the time
 * of the same chunks one after another on 2 threads (BENCHMARKS.md): the decoder's small matrix
 * products and its single-threaded sampling scale poorly with threads, but perfectly across states.
 * `cap` (LONG_FORM_WORKERS) bounds the states one request may hold.
 */
export function chunkParallelism(threads: number, chunks: number, cap = LONG_FORM.maxWorkers): { workers: number; threadsEach: number } {
  const budget = Math.max(1, Math.floor(threads));
  const workers = Math.max(1, Math.min(budget, chunks, Math.floor(cap)));
  return { workers, threadsEach: Math.max(1, Math.floor(budget / workers)) };
}

/**
 * The order the chunks start in: longest first, so that no state is left decoding a long chunk
 * alone at the end while the others idle (80 s clip on 2 states: 17.5, 25.3, 15.9 and 19.6 s of
 * audio kept one state busy for 44.9 s of it in file order, for 41.2 s longest first). Chunk 0
 * still goes first when someone reads the segments as they come (a stream, a job's progress): its
 * segments stream live, and every later chunk's wait for it.
 */
export function decodeOrder(chunks: SpeechSpan[], firstFirst: boolean): number[] {
  const length = (i: number) => chunks[i].end - chunks[i].start;
  const rest = chunks.map((_, i) => i).filter((i) => !firstFirst || i > 0);
  rest.sort((a, b) => length(b) - length(a) || a - b);
  return firstFirst && chunks.length ? [0, ...rest] : rest;
}
