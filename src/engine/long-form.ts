/**
 * Long files, chunked at pauses (the CPU half of faster-whisper's BatchedInferencePipeline): Silero
 * finds the speech, spans are merged into chunks of at most ~28 s that start and end in silence,
 * and each chunk is decoded once, over its own length (short window), instead of whisper.cpp
 * sliding 30 s windows that re-encode audio after every seek. Silence between chunks is never
 * encoded. Chunks are not conditioned on the previous chunk's text: measured on tiny.en, that
 * prompt made it skip and repeat (80 s clip: 15.5 % WER with it, 5.2 % without, the same as the
 * sliding windows), and faster-whisper's batched pipeline leaves it out too. The client's prompt goes with every chunk,
 * the first chunk's language holds for the rest, and every timestamp is shifted back into the
 * original time base. Where the chunks fall and in what order they decode: chunk-plan.ts.
 */
import { availableParallelism } from 'node:os';
import { errors } from '../errors.js';
import { chunkParallelism, decodeOrder, LONG_FORM, planChunks, withLeadIn } from './chunk-plan.js';
import { shortWindowFrames } from './short-window.js';
import { SAMPLE_RATE, type DecodeParams, type LoadedModel, type Segment, type SpeechSpan, type TranscribeHooks, type Transcript, type Word } from './types.js';

/**
 * openai-whisper's failure threshold for a decode's gzip compression ratio. whisper.cpp retries a
 * window above it at higher temperatures; when every retry loops too ("I'm I'm I'm …", seen on
 * the 80 s clip when a chunk's last second of padding got a window of its own), the loop is
 * dropped rather than returned as speech.
 */
const LOOP_COMPRESSION_RATIO = 2.4;

/** Into the file's time base; whisper's last timestamp can run into the window's padding, so clamp to the chunk. */
const shift = <T extends { start: number; end: number }>(x: T, chunk: SpeechSpan): T => ({
  ...x,
  start: round(Math.min(x.start + chunk.start, chunk.end)),
  end: round(Math.min(x.end + chunk.start, chunk.end)),
});
const round = (x: number) => Math.round(x * 1000) / 1000;

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
