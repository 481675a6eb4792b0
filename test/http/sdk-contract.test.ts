/**
 * The openai npm client against the app with a fake engine: checks what only fakes can stage
 * (a failure in the middle of a stream, a full queue on demand) and how the SDK reads our replies.
 */
import OpenAI, { APIError, BadRequestError, InternalServerError, NotFoundError, RateLimitError, toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { errors } from '../../src/errors.js';
import { fakeAudio } from './helpers/fakes.js';
import { makeTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
let client: OpenAI;
beforeAll(async () => {
  t = await makeTestApp({ MAX_UPLOAD_BYTES: '2000' }, { concurrency: 1, maxQueue: 0, avgJobSeconds: 3 });
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  client = new OpenAI({ apiKey: 'none', baseURL: `${url}/v1`, maxRetries: 0 });
});
afterAll(() => t.close());
beforeEach(() => {
  t.pool.script = {};
});

const file = () => toFile(fakeAudio(3), 'a.wav');

test('plain formats come back as strings, JSON formats as objects', async () => {
  expect(await client.audio.transcriptions.create({ file: await file(), model: 'tiny.en', response_format: 'text' })).toBe(
    'Hello there. General Kenobi.\n',
  );
  const vtt = await client.audio.transcriptions.create({ file: await file(), model: 'tiny.en', response_format: 'vtt' });
  expect(typeof vtt).toBe('string');
  const json = await client.audio.transcriptions.create({ file: await file(), model: 'tiny.en' });
  expect(json.text).toBe('Hello there. General Kenobi.');
});

test('the SDK encodes arrays as key[] and booleans as strings; we read both', async () => {
  const r = await client.audio.transcriptions.create({
    file: await file(),
    model: 'tiny.en',
    response_format: 'verbose_json',
    timestamp_granularities: ['word', 'segment'],
    chunking_strategy: { type: 'server_vad', threshold: 0.5, silence_duration_ms: 300 },
    stream: false,
  });
  expect(r.words).toHaveLength(4);
  expect(r.segments).toHaveLength(2);
});

test('an error event in the middle of a stream is raised by the SDK as APIError', async () => {
  t.pool.script = { failAfterFirst: errors.transcriptionFailed('engine fell over') };
  const stream = await client.audio.transcriptions.create({ file: await file(), model: 'tiny.en', stream: true });
  const seen: string[] = [];
  const err = await (async () => {
    for await (const e of stream) seen.push(e.type);
  })().catch((e) => e);
  expect(seen).toEqual(['transcript.text.delta']);
  expect(err).toBeInstanceOf(APIError);
  expect(err.message).toContain('engine fell over');
  expect(err.code).toBe('transcription_failed');
});

test('statuses map to the SDK error classes', async () => {
  await expect(client.audio.transcriptions.create({ file: await toFile(Buffer.from('x'), 'x.wav'), model: 'tiny.en' })).rejects.toBeInstanceOf(
    BadRequestError,
  );
  await expect(client.audio.transcriptions.create({ file: await file(), model: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
  const big = await client.audio.transcriptions.create({ file: await toFile(Buffer.alloc(3000), 'big.wav'), model: 'tiny.en' }).catch((e) => e);
  expect(big).toBeInstanceOf(APIError);
  expect(big.status).toBe(413);

  t.pool.script = { segmentDelayMs: 300 };
  const running = client.audio.transcriptions.create({ file: await file(), model: 'tiny.en' });
  await new Promise((r) => setTimeout(r, 100));
  const limited = await client.audio.transcriptions.create({ file: await file(), model: 'tiny.en' }).catch((e) => e);
  expect(limited).toBeInstanceOf(RateLimitError);
  // Retry-After from the pool's estimate; the SDK would wait this long before retrying.
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  await running;

  t.pool.script = { failAfterFirst: errors.transcriptionFailed('boom') };
  await expect(client.audio.transcriptions.create({ file: await file(), model: 'tiny.en' })).rejects.toBeInstanceOf(InternalServerError);
});
