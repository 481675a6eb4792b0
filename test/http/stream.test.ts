/** stream=true: SSE framing, ordering, and how failures surface before and after the stream starts. */
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { errors } from '../../src/errors.js';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({}, { concurrency: 1, maxQueue: 0 });
});
afterAll(() => t.close());
beforeEach(() => {
  t.pool.script = {};
});

const url = '/v1/audio/transcriptions';
const events = (body: string) =>
  body
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      const data = frame.slice(6);
      return data === '[DONE]' ? '[DONE]' : JSON.parse(data);
    });

test('deltas per segment, then done with the full text and usage, then [DONE]', async () => {
  t.pool.script = { texts: [' One.', ' Two.', ' Three.'] };
  const res = await t.app.inject({ method: 'POST', url, ...(await multipart({ file: audioFile(6.2), model: 'tiny.en', stream: 'true' })) });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
  expect(res.headers['cache-control']).toBe('no-cache');
  expect(events(res.body)).toEqual([
    { type: 'transcript.text.delta', delta: 'One.' },
    { type: 'transcript.text.delta', delta: ' Two.' },
    { type: 'transcript.text.delta', delta: ' Three.' },
    { type: 'transcript.text.done', text: 'One. Two. Three.', usage: { type: 'duration', seconds: 7 } },
    '[DONE]',
  ]);
  expect(await t.leftovers()).toEqual([]);
});

test('a failure after the first delta is an error event the SDKs raise, and the stream ends', async () => {
  t.pool.script = { texts: [' One.', ' Two.'], failAfterFirst: errors.transcriptionFailed('native crash') };
  const res = await t.app.inject({ method: 'POST', url, ...(await multipart({ file: audioFile(), model: 'tiny.en', stream: 'true' })) });
  expect(res.statusCode).toBe(200);
  const ev = events(res.body);
  expect(ev[0]).toEqual({ type: 'transcript.text.delta', delta: 'One.' });
  expect(ev[1].type).toBe('error');
  expect(expectOpenAIError(ev[1])).toMatchObject({ type: 'server_error', code: 'transcription_failed' });
  expect(ev).toHaveLength(2);
});

test('failures before compute starts keep their HTTP status (bad audio 400, unknown model 404)', async () => {
  const bad = await t.app.inject({ method: 'POST', url, ...(await multipart({ file: { data: 'nope', filename: 'x.wav' }, model: 'tiny.en', stream: 'true' })) });
  expect(bad.statusCode).toBe(400);
  expect(bad.headers['content-type']).toMatch(/^application\/json/);
  const unknown = await t.app.inject({ method: 'POST', url, ...(await multipart({ file: audioFile(), model: 'nope', stream: 'true' })) });
  expect(unknown.statusCode).toBe(404);
});

test('a full queue is a 429 with Retry-After, not an event', async () => {
  t.pool.script = { segmentDelayMs: 300 };
  const first = t.app.inject({ method: 'POST', url, ...(await multipart({ file: audioFile(), model: 'tiny.en', stream: 'true' })) });
  await new Promise((r) => setTimeout(r, 50));
  const second = await t.app.inject({ method: 'POST', url, ...(await multipart({ file: audioFile(), model: 'tiny.en', stream: 'true' })) });
  expect(second.statusCode).toBe(429);
  expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(expectOpenAIError(second.json())).toMatchObject({ type: 'rate_limit_error', code: 'queue_full' });
  expect((await first).statusCode).toBe(200);
});
