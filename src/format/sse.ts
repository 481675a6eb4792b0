/**
 * Server-Sent Events framing for streamed transcriptions. Each event is one `data:` line:
 * JSON.stringify never emits a raw newline, so no multi-line splitting is needed.
 * Both OpenAI SDKs stop at `data: [DONE]` and raise an APIError for any event whose payload
 * has a truthy `error` key, so failures are sent as `{"type":"error","error":{...}}`.
 */
import type { Transcript } from '../engine/types.js';
import { durationUsage, type DurationUsage } from './usage.js';

export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';
export const SSE_DONE = 'data: [DONE]\n\n';

export interface TextDeltaEvent {
  type: 'transcript.text.delta';
  delta: string;
}

export interface TextDoneEvent {
  type: 'transcript.text.done';
  text: string;
  usage: DurationUsage;
}

export interface ErrorEvent {
  type: 'error';
  error: { message: string; type: string; param: string | null; code: string | null };
}

export type StreamEvent = TextDeltaEvent | TextDoneEvent | ErrorEvent;

export function sseEvent(event: StreamEvent): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}

export function deltaEvent(delta: string): TextDeltaEvent {
  return { type: 'transcript.text.delta', delta };
}

export function doneEvent(t: Transcript): TextDoneEvent {
  return { type: 'transcript.text.done', text: t.text.trim(), usage: durationUsage(t.duration) };
}

export function errorEvent(error: ErrorEvent['error']): ErrorEvent {
  return { type: 'error', error };
}
