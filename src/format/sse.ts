/**
 * Server-Sent Events framing for streamed transcriptions. Each event is one `data:` line:
 * JSON.stringify never emits a raw newline, so no multi-line splitting is needed.
 * Both OpenAI SDKs stop at `data: [DONE]` and raise an APIError for any event whose payload
 * has a truthy `error` key, so failures are sent as `{"type":"error","error":{...}}`.
 */
import type { Transcript } from '../engine/types.js';
import type { DiarizedSegmentJson } from './diarized.js';
import { languagesOf } from './json.js';
import { transcriptLogprobs, type Logprob } from './logprobs.js';
import { durationUsage, type DurationUsage } from './usage.js';

export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';
export const SSE_DONE = 'data: [DONE]\n\n';

export interface TextDeltaEvent {
  type: 'transcript.text.delta';
  delta: string;
  logprobs?: Logprob[];
  /** Diarization: the `transcript.text.segment` this delta belongs to. */
  segment_id?: string;
}

export interface TextDoneEvent {
  type: 'transcript.text.done';
  text: string;
  languages?: { code: string }[];
  logprobs?: Logprob[];
  usage: DurationUsage;
}

/** Diarization: one event per speaker segment, between the deltas and `transcript.text.done`. */
export type TextSegmentEvent = DiarizedSegmentJson;

export interface ErrorEvent {
  type: 'error';
  error: { message: string; type: string; param: string | null; code: string | null };
}

export type StreamEvent = TextDeltaEvent | TextSegmentEvent | TextDoneEvent | ErrorEvent;

export function sseEvent(event: StreamEvent): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}

export function deltaEvent(delta: string, extra: { logprobs?: Logprob[]; segment_id?: string } = {}): TextDeltaEvent {
  return {
    type: 'transcript.text.delta',
    delta,
    ...(extra.logprobs ? { logprobs: extra.logprobs } : {}),
    ...(extra.segment_id ? { segment_id: extra.segment_id } : {}),
  };
}

export function doneEvent(t: Transcript, opts: { logprobs?: boolean; languages?: boolean } = {}): TextDoneEvent {
  return {
    type: 'transcript.text.done',
    text: t.text.trim(),
    ...(opts.languages ? { languages: languagesOf(t) } : {}),
    ...(opts.logprobs ? { logprobs: transcriptLogprobs(t.segments) } : {}),
    usage: durationUsage(t.duration),
  };
}

export function errorEvent(error: ErrorEvent['error']): ErrorEvent {
  return { type: 'error', error };
}
