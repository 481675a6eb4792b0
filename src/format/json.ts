import type { Segment, Transcript } from '../engine/types.js';
import { languageName } from './languages.js';
import { transcriptLogprobs, type Logprob } from './logprobs.js';
import { JSON_CONTENT_TYPE, type Granularity, type Rendered } from './types.js';
import { durationUsage, type DurationUsage } from './usage.js';

/** `json`: OpenAI's Transcription object; `languages` and `logprobs` only when asked for. */
export interface TranscriptionJson {
  text: string;
  languages?: { code: string }[];
  logprobs?: Logprob[];
  usage: DurationUsage;
}

export interface JsonOptions {
  /** include[]=logprobs. */
  logprobs?: boolean;
  /** languages[] was sent: report the language found as `languages: [{code}]`. */
  languages?: boolean;
}

export function renderJson(t: Transcript, opts: JsonOptions = {}): Rendered<TranscriptionJson> {
  const body: TranscriptionJson = {
    text: t.text.trim(),
    ...(opts.languages ? { languages: languagesOf(t) } : {}),
    ...(opts.logprobs ? { logprobs: transcriptLogprobs(t.segments) } : {}),
    usage: durationUsage(t.duration),
  };
  return { body, contentType: JSON_CONTENT_TYPE };
}

/** OpenAI's `languages`: the language found, or [] when none was (no speech decoded). */
export function languagesOf(t: Transcript): { code: string }[] {
  return t.language && t.text.trim() ? [{ code: t.language }] : [];
}

/** `verbose_json`: OpenAI's TranscriptionVerbose, plus `task` as the hosted API sends it. */
export interface TranscriptionVerboseJson {
  task: 'transcribe' | 'translate';
  language: string;
  duration: number;
  text: string;
  segments?: Segment[];
  words?: { word: string; start: number; end: number }[];
  usage: DurationUsage;
}

export interface VerboseOptions {
  /** Empty means the default, which is segments only. */
  granularities?: readonly Granularity[];
}

export function renderVerboseJson(t: Transcript, opts: VerboseOptions = {}): Rendered<TranscriptionVerboseJson> {
  const g = opts.granularities ?? [];
  const wantSegments = g.length === 0 || g.includes('segment');
  const body: TranscriptionVerboseJson = {
    task: t.task,
    // A translation's output is English whatever was spoken; OpenAI reports it that way.
    language: t.task === 'translate' ? 'english' : languageName(t.language),
    duration: t.duration,
    text: t.text.trim(),
    // Field by field: the ten OpenAI fields in OpenAI's order, nothing engine-internal.
    ...(wantSegments ? { segments: t.segments.map(segmentFields) } : {}),
    ...(g.includes('word') ? { words: (t.words ?? []).map(({ word, start, end }) => ({ word, start, end })) } : {}),
    usage: durationUsage(t.duration),
  };
  return { body, contentType: JSON_CONTENT_TYPE };
}

function segmentFields(s: Segment): Segment {
  return {
    id: s.id,
    seek: s.seek,
    start: s.start,
    end: s.end,
    text: s.text,
    tokens: s.tokens,
    temperature: s.temperature,
    avg_logprob: s.avg_logprob,
    compression_ratio: s.compression_ratio,
    no_speech_prob: s.no_speech_prob,
  };
}
