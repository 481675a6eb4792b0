/**
 * Turns the binding's raw segments into the domain Transcript (pure, unit-tested).
 */
import { deflateSync } from 'node:zlib';
import type { NativeModelInfo, NativeSegment, NativeToken } from './native.js';
import { alignLogprobs } from './token-logprobs.js';
import type { Segment, Task, Transcript, Word } from './types.js';

type Vocab = Pick<NativeModelInfo, 'token_eot' | 'token_beg'>;

const isText = (t: NativeToken, v: Vocab) => t.id < v.token_eot;
const isTimestamp = (t: NativeToken, v: Vocab) => t.id >= v.token_beg;
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** gzip-style ratio OpenAI uses to detect repetitive output: text bytes / deflated bytes. */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length === 0 ? 0 : bytes.length / deflateSync(bytes).length;
}

/**
 * whisper.cpp's times in seconds, never past the end of the audio: a window read again from its last
 * timestamp (or any window padded with silence) can put a last timestamp seconds after the audio ends.
 */
const clampTo = (duration: number) => {
  const last = Math.floor(duration * 100) / 100;
  return (ms: number) => Math.min(round(ms / 1000, 2), last);
};

export function toSegment(s: NativeSegment, id: number, vocab: Vocab, duration = Infinity): Segment {
  const text = s.tokens.filter((t) => isText(t, vocab));
  const logprob = text.length ? text.reduce((sum, t) => sum + t.plog, 0) / text.length : 0;
  const time = clampTo(duration);
  const start = time(s.from);
  return {
    id,
    // whisper.cpp does not expose its 30 s window offset; the segment start in 10 ms frames
    // is the closest honest value.
    seek: Math.round(start * 100),
    start,
    end: time(s.to),
    text: s.text,
    // OpenAI's token lists carry text and timestamp tokens, not the control tokens.
    tokens: s.tokens.filter((t) => isText(t, vocab) || isTimestamp(t, vocab)).map((t) => t.id),
    temperature: round(s.temperature, 2),
    avg_logprob: round(logprob, 6),
    compression_ratio: round(compressionRatio(s.text.trim()), 6),
    no_speech_prob: round(s.no_speech_prob, 6),
    logprobs: alignLogprobs(s.text, text),
  };
}

/** Groups text tokens into words: a token that starts with a space starts a new word. */
export function toWords(segments: NativeSegment[], vocab: Vocab, duration = Infinity): Word[] {
  const time = clampTo(duration);
  const words: Word[] = [];
  let current: { text: string; start: number; end: number; probs: number[] } | undefined;
  const flush = () => {
    const word = current?.text.trim();
    if (current && word) {
      const probability = current.probs.reduce((a, b) => a + b, 0) / current.probs.length;
      words.push({ word, start: time(current.start), end: time(current.end), probability: round(probability, 4) });
    }
    current = undefined;
  };
  for (const segment of segments) {
    for (const t of segment.tokens) {
      if (!isText(t, vocab)) continue;
      if (!current || /^\s/.test(t.text)) {
        flush();
        current = { text: t.text, start: t.from, end: t.to, probs: [t.p] };
      } else {
        current.text += t.text;
        current.end = t.to;
        current.probs.push(t.p);
      }
    }
    flush(); // words never span segments
  }
  return words;
}

export interface TranscriptInput {
  task: Task;
  language: string;
  duration: number;
  segments: NativeSegment[];
  vocab: Vocab;
  withWords: boolean;
}

export function toTranscript(input: TranscriptInput): Transcript {
  const segments = input.segments.map((s, i) => toSegment(s, i, input.vocab, input.duration));
  const transcript: Transcript = {
    task: input.task,
    language: input.language,
    duration: round(input.duration, 3),
    text: segments.map((s) => s.text).join('').trim(),
    segments,
  };
  if (input.withWords) transcript.words = toWords(input.segments, input.vocab, input.duration);
  return transcript;
}
