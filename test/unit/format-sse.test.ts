import { expect, test } from 'vitest';
import { SSE_DONE, deltaEvent, doneEvent, errorEvent, sseEvent } from '../../src/format/sse.js';
import { transcript } from './format-fixtures.js';

test('each event is a single data line followed by a blank line', () => {
  const frame = sseEvent(deltaEvent('line one\nline two'));
  expect(frame).toBe('data: {"type":"transcript.text.delta","delta":"line one\\nline two"}\n\n');
  expect(frame.split('\n').filter(Boolean)).toHaveLength(1);
});

test('done carries the full text and duration usage; [DONE] ends the stream', () => {
  expect(JSON.parse(sseEvent(doneEvent(transcript())).slice(6))).toEqual({
    type: 'transcript.text.done',
    text: 'And so my fellow Americans, ask not. What you can do.',
    usage: { type: 'duration', seconds: 11 },
  });
  expect(SSE_DONE).toBe('data: [DONE]\n\n');
});

test('errors carry an `error` object, which is what both SDKs raise on', () => {
  const e = { message: 'boom', type: 'server_error', param: null, code: 'transcription_failed' };
  expect(JSON.parse(sseEvent(errorEvent(e)).slice(6))).toEqual({ type: 'error', error: e });
});
