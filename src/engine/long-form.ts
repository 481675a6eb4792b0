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
import { shortWindowFrames } from './short-window.js';
import type { DecodeParams, LoadedModel, Segment, SpeechSpan, TranscribeHooks, Transcript, Word } from './types.js';

const SAMPLE_RATE = 16_000;

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
}

export const LONG_FORM: LongFormPolicy = { minSeconds: 30, maxChunkSeconds: 28 };

/** Seconds of audio: merges speech spans into chunks of at most `max` s, cut in the pauses between them. */
export function planChunks(spans: SpeechSpan[], duration: number, max = LONG_FORM.maxChunkSeconds): SpeechSpan[] {
  const chunks: SpeechSpan[] = [];
  let current: SpeechSpan | undefined;
  for (const span of spans) {
    const s = { start: Math.max(0, span.start), end: Math.min(duration, span.end) };
    if (s.end <= s.start) continue;
    // A span longer than a chunk is cut into equal pieces (Silero found no pause to cut at).
    const pieces = Math.ceil((s.end - s.start) / max);
    for (let i = 0; i < pieces; i++) {
      const piece = { start: s.start + ((s.end - s.start) * i) / pieces, end: s.start + ((s.end - s.start) * (i + 1)) / pieces };
      if (current && piece.end - current.start <= max) current.end = piece.end;
      else {
        if (current) chunks.push(current);
        current = { ...piece };
      }
    }
  }
  if (current) chunks.push(current);
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
 * Decodes each chunk on `model` in turn (one pool slot, held by the caller) and joins the results.
 * `params.vad` is already spent on the chunking and is not applied again.
 */
export async function transcribeChunks(
  model: LoadedModel,
  pcm: Float32Array,
  chunks: SpeechSpan[],
  params: DecodeParams,
  hooks: TranscribeHooks = {},
): Promise<Transcript> {
  const duration = pcm.length / SAMPLE_RATE;
  const segments: Segment[] = [];
  const words: Word[] = [];
  let language = params.language;
  let task: Transcript['task'] = params.translate ? 'translate' : 'transcribe';
  const total = chunks.reduce((n, c) => n + (c.end - c.start), 0) || 1;
  let done = 0;
  for (const chunk of chunks) {
    let streamed = 0;
    const audio = pcm.subarray(Math.floor(chunk.start * SAMPLE_RATE), Math.ceil(chunk.end * SAMPLE_RATE));
    const part = await model.transcribe(
      audio,
      {
        ...params,
        vad: undefined,
        language,
        languages: language ? undefined : params.languages,
        audioCtx: shortWindowFrames(audio.length),
      },
      {
        signal: hooks.signal,
        // Streamed with the same numbering and the same loop rule as the joined result below.
        onSegment:
          hooks.onSegment &&
          ((s) => {
            if (s.compression_ratio > LOOP_COMPRESSION_RATIO) return;
            hooks.onSegment!({ ...shift(s, chunk), id: segments.length + streamed++, seek: Math.round(chunk.start * 100) });
          }),
        onProgress: hooks.onProgress && ((f) => hooks.onProgress!((done + f * (chunk.end - chunk.start)) / total)),
      },
    );
    language ??= part.language;
    task = part.task;
    const loops = part.segments.filter((s) => s.compression_ratio > LOOP_COMPRESSION_RATIO);
    for (const s of part.segments) {
      if (!loops.includes(s)) segments.push({ ...shift(s, chunk), id: segments.length, seek: Math.round(chunk.start * 100) });
    }
    const inLoop = (w: Word) => loops.some((s) => w.start >= s.start && w.end <= s.end + 0.01);
    for (const w of part.words ?? []) if (!inLoop(w)) words.push(shift(w, chunk));
    done += chunk.end - chunk.start;
  }
  const transcript: Transcript = {
    task,
    language: language ?? 'en',
    duration: round(duration),
    text: segments.map((s) => s.text).join('').trim(),
    segments,
  };
  if (params.wordTimestamps) transcript.words = words;
  return transcript;
}
