/**
 * Long files, chunked at pauses (the CPU half of faster-whisper's BatchedInferencePipeline): Silero
 * finds the speech, spans are merged into chunks of at most ~28 s that start and end in silence,
 * and each chunk is decoded once, over its own length (short window), instead of whisper.cpp
 * sliding 30 s windows that re-encode audio after every seek. Silence between chunks is never
 * encoded. Chunks are not conditioned on the previous chunk's text: measured on tiny.en, that
 * prompt made it skip and repeat (80 s clip: 15.5 % WER with it, 5.2 % without, the same as the
 * sliding windows), and faster-whisper's batched pipeline leaves it out too. The client's prompt goes with every chunk,
 * the first chunk's language holds for the rest, and every timestamp is shifted back into the
 * original time base.
 */
import { availableParallelism } from 'node:os';
import { errors } from '../errors.js';
import { shortWindowFrames } from './short-window.js';
import { SAMPLE_RATE, type DecodeParams, type LoadedModel, type Segment, type SpeechSpan, type TranscribeHooks, type Transcript, type Word } from './types.js';


/**
 * openai-whisper's failure threshold for a decode's gzip compression ratio. whisper.cpp retries a
 * window above it at higher temperatures; when every retry loops too ("I'm I'm I'm …", seen on
 * the 80 s clip when a chunk's last second of padding got a window of its own), the loop is
 * dropped rather than returned as speech.
 */
const LOOP_COMPRESSION_RATIO = 2.4;

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
 * Seconds of audio: merges speech spans into chunks of at most `max` s, cut in the pauses between
 * them. With `parts` > 1 (the chunks that will decode at once), the count is rounded up to a
 * multiple of `parts` where the pauses allow, and the speech is shared out evenly, so that no state
 * is left decoding a long last chunk alone while the others idle (80 s clip on 2 states: 24 + 26 +
 * 25 + 4 s became 4 × ~20 s).
 */
export function planChunks(spans: SpeechSpan[], duration: number, max = LONG_FORM.maxChunkSeconds, parts = 1): SpeechSpan[] {
  const pieces = speechPieces(spans, duration, max);
  const greedy = mergeUpTo(pieces, max);
  const want = Math.min(pieces.length, Math.ceil(greedy.length / parts) * parts);
  if (parts <= 1 || want < greedy.length) return greedy;
  const balanced = shareEvenly(pieces, want);
  return balanced.every((c) => c.end - c.start <= max) ? balanced : greedy;
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

/** `n` chunks of about equal speech: each piece goes to the chunk its midpoint falls in, counted in speech seconds. */
function shareEvenly(pieces: SpeechSpan[], n: number): SpeechSpan[] {
  const total = pieces.reduce((sum, p) => sum + (p.end - p.start), 0);
  const chunks: SpeechSpan[] = [];
  let before = 0;
  let index = -1;
  for (const piece of pieces) {
    const length = piece.end - piece.start;
    const k = Math.min(n - 1, Math.floor(((before + length / 2) * n) / total));
    if (k !== index || !chunks.length) chunks.push({ ...piece });
    else chunks.at(-1)!.end = piece.end;
    index = k;
    before += length;
  }
  return chunks;
}

/** Into the file's time base; whisper's last timestamp can run into the window's padding, so clamp to the chunk. */
const shift = <T extends { start: number; end: number }>(x: T, chunk: SpeechSpan): T => ({
  ...x,
  start: round(Math.min(x.start + chunk.start, chunk.end)),
  end: round(Math.min(x.end + chunk.start, chunk.end)),
});
const round = (x: number) => Math.round(x * 1000) / 1000;

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

/** The CPU threads a long-form request may use: the pool's share, else the request's pin, else every core. */
const threadBudget = (params: DecodeParams, opts: ChunkOptions) => opts.threads ?? params.threads ?? availableParallelism();

export interface ChunkOptions {
  /** The CPU threads this request may use (the pool's share); default: params.threads, else every core. */
  threads?: number;
  /** At most this many chunks decode at once (LONG_FORM_WORKERS); default: one per thread, up to LONG_FORM.maxWorkers. */
  maxWorkers?: number;
}

interface ChunkResult {
  segments: Segment[];
  words: Word[];
  language: string;
  task: Transcript['task'];
}

/**
 * Decodes the chunks on `model` (the caller holds one pool slot and its thread share), several at
 * once where the share allows, and joins them in order. Segments stream in order: the earliest
 * unfinished chunk streams live, later ones are held until it ends. `params.vad` is already spent
 * on the chunking and is not applied again. An error or abort in one chunk stops the others, and
 * this returns only when every native call has returned its state.
 */
export async function transcribeChunks(
  model: LoadedModel,
  pcm: Float32Array,
  chunks: SpeechSpan[],
  params: DecodeParams,
  hooks: TranscribeHooks = {},
  opts: ChunkOptions = {},
): Promise<Transcript> {
  const duration = pcm.length / SAMPLE_RATE;
  const { workers, threadsEach } = chunkParallelism(threadBudget(params, opts), chunks.length, opts.maxWorkers);
  const stream = orderedStream(chunks.length, hooks.onSegment);
  const progress = chunkProgress(chunks, hooks.onProgress);
  const stop = linkedAbort(hooks.signal);
  const results: ChunkResult[] = [];

  const decode = async (i: number, threads: number, language: string | undefined): Promise<ChunkResult> => {
    const chunk = chunks[i];
    // A segment in the file's time base, its seek the chunk's start (in centiseconds, as whisper's).
    const place = (s: Segment): Segment => ({ ...shift(s, chunk), seek: Math.round(chunk.start * 100) });
    const audio = pcm.subarray(Math.floor(chunk.start * SAMPLE_RATE), Math.ceil(chunk.end * SAMPLE_RATE));
    const part = await model.transcribe(
      audio,
      { ...params, vad: undefined, threads, language, languages: language ? undefined : params.languages, audioCtx: shortWindowFrames(audio.length) },
      {
        signal: stop.signal,
        // The same loop rule as the joined result below.
        onSegment: (s) => s.compression_ratio > LOOP_COMPRESSION_RATIO || stream.push(i, place(s)),
        onProgress: (f) => progress(i, f),
      },
    );
    const loops = part.segments.filter((s) => s.compression_ratio > LOOP_COMPRESSION_RATIO);
    const inLoop = (w: Word) => loops.some((s) => w.start >= s.start && w.end <= s.end + 0.01);
    stream.finish(i);
    return {
      segments: part.segments.filter((s) => !loops.includes(s)).map(place),
      words: (part.words ?? []).filter((w) => !inLoop(w)).map((w) => shift(w, chunk)),
      language: part.language,
      task: part.task,
    };
  };

  try {
    let language = params.language;
    let next = 0;
    const detect = !language && model.info.multilingual && chunks.length > 1;
    const order = decodeOrder(chunks, detect || Boolean(hooks.onSegment));
    // A multilingual model without a language: the first chunk decides it for the rest, alone and on every thread.
    if (detect) {
      results[0] = await decode(order[next++], workers * threadsEach, undefined);
      language = results[0].language;
    }
    const worker = async () => {
      while (next < order.length && !stop.signal.aborted) {
        const i = order[next++];
        results[i] = await decode(i, threadsEach, language);
      }
    };
    const settled = await Promise.allSettled(Array.from({ length: workers }, () => worker().catch((err) => (stop.abort(err), Promise.reject(err)))));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    // The first failure, not the aborts it caused in the other workers.
    if (failed) throw stop.cause ?? failed.reason;
    // Cancelled between two chunks: no worker was decoding to notice.
    if (stop.signal.aborted) throw errors.aborted();
  } finally {
    stop.dispose();
  }

  const segments = results.flatMap((r) => r.segments).map((s, id) => ({ ...s, id }));
  const transcript: Transcript = {
    task: results.at(-1)?.task ?? (params.translate ? 'translate' : 'transcribe'),
    language: params.language ?? results[0]?.language ?? 'en',
    duration: round(duration),
    text: segments.map((s) => s.text).join('').trim(),
    segments,
  };
  if (params.wordTimestamps) transcript.words = results.flatMap((r) => r.words);
  return transcript;
}

/**
 * A long file's speech, planned into chunks once the request's thread share is known (as many
 * chunks as decode at once, or a multiple of that), each given its lead-in, then decoded by
 * transcribeChunks.
 */
export function transcribeLongForm(
  model: LoadedModel,
  pcm: Float32Array,
  speech: SpeechSpan[],
  params: DecodeParams,
  hooks: TranscribeHooks = {},
  opts: ChunkOptions = {},
): Promise<Transcript> {
  const threads = threadBudget(params, opts);
  const { workers } = chunkParallelism(threads, Infinity, opts.maxWorkers);
  const chunks = withLeadIn(planChunks(speech, pcm.length / SAMPLE_RATE, undefined, workers));
  return transcribeChunks(model, pcm, chunks, params, hooks, { ...opts, threads });
}

/** Segments streamed in chunk order with one running id: the earliest unfinished chunk streams live. */
function orderedStream(n: number, onSegment: ((s: Segment) => void) | undefined) {
  const held: Segment[][] = Array.from({ length: n }, () => []);
  const done: boolean[] = new Array(n).fill(false);
  let head = 0;
  let id = 0;
  const emit = (s: Segment) => onSegment?.({ ...s, id: id++ });
  return {
    push(i: number, s: Segment) {
      if (i === head) emit(s);
      else held[i].push(s);
    },
    finish(i: number) {
      done[i] = true;
      while (head < n && done[head]) {
        head++;
        if (head < n) held[head].splice(0).forEach(emit);
      }
    },
  };
}

/** The request's progress: each chunk's own fraction, weighted by its length. */
function chunkProgress(chunks: SpeechSpan[], onProgress: ((f: number) => void) | undefined) {
  const lengths = chunks.map((c) => c.end - c.start);
  const total = lengths.reduce((a, b) => a + b, 0) || 1;
  const fractions = chunks.map(() => 0);
  return (i: number, f: number) => {
    if (!onProgress) return;
    fractions[i] = f;
    onProgress(fractions.reduce((sum, x, j) => sum + x * lengths[j], 0) / total);
  };
}

/** An abort of its own (so one failed chunk can stop the rest) that also follows the caller's signal. */
function linkedAbort(outer: AbortSignal | undefined) {
  const controller = new AbortController();
  const follow = () => controller.abort();
  if (outer?.aborted) follow();
  else outer?.addEventListener('abort', follow, { once: true });
  let cause: unknown;
  return {
    signal: controller.signal,
    get cause() {
      return cause;
    },
    abort(err?: unknown) {
      cause ??= err;
      controller.abort();
    },
    dispose: () => outer?.removeEventListener('abort', follow),
  };
}
