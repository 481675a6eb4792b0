/**
 * The real `openai` npm client against the real server and real weights (tiny.en, base).
 * Everything an SDK user does: every response format, both granularities, translation,
 * streaming, models, and the typed errors the SDK raises from our statuses.
 */
import fs from 'node:fs';
import OpenAI, { APIError, AuthenticationError, BadRequestError, NotFoundError, RateLimitError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { longSpeechFile } from '../support/long-speech.js';
import { audio, normalize, requireWeights, startServer, waitFor, type RunningServer } from './helpers/server.js';

const KEY = 'sk-e2e-test';
const JFK = 'and so my fellow americans ask not what your country can do for you ask what you can do for your country';
let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  requireWeights('tiny.en', 'base');
  server = await startServer({
    API_KEYS: KEY,
    PRELOAD_MODELS: 'tiny.en,base',
    POOL_CONCURRENCY: '1',
    QUEUE_MAX: '1',
    // Above the long recording (longSpeechFile: 10.2 MB), below the 413 test's upload.
    MAX_UPLOAD_BYTES: '12000000',
  });
  client = new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 120_000 });
}, 120_000);
afterAll(async () => {
  expect(await server?.leftovers()).toEqual([]);
  await server?.stop();
});

const jfk = () => fs.createReadStream(audio('jfk.wav'));

describe('response formats', () => {
  test('json: {text, usage} with whole seconds', async () => {
    const r = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1' });
    expect(normalize(r.text)).toBe(JFK);
    expect(r.usage).toEqual({ type: 'duration', seconds: 11 });
  });

  test('text, srt and vtt come back as strings', async () => {
    const text = await client.audio.transcriptions.create({ file: jfk(), model: 'tiny.en', response_format: 'text' });
    expect(typeof text).toBe('string');
    expect(normalize(text)).toBe(JFK);
    const srt = await client.audio.transcriptions.create({ file: jfk(), model: 'tiny.en', response_format: 'srt' });
    expect(srt).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n\S/);
    const vtt = await client.audio.transcriptions.create({ file: jfk(), model: 'tiny.en', response_format: 'vtt' });
    expect(vtt).toMatch(/^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> /);
  });

  test('verbose_json with word and segment granularities', async () => {
    // toFile: the SDK's buffered upload path (fs streams take the streaming path above).
    const file = await toFile(fs.readFileSync(audio('jfk.flac')), 'jfk.flac');
    const r = await client.audio.transcriptions.create({
      file,
      model: 'tiny.en',
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    expect(r).toMatchObject({ task: 'transcribe', language: 'english', usage: { type: 'duration', seconds: 11 } });
    expect(r.duration).toBeCloseTo(11, 1);
    expect(normalize(r.text)).toBe(JFK);
    expect(r.segments!.length).toBeGreaterThan(0);
    expect(Object.keys(r.segments![0]).sort()).toEqual(
      ['avg_logprob', 'compression_ratio', 'end', 'id', 'no_speech_prob', 'seek', 'start', 'temperature', 'text', 'tokens'],
    );
    expect(r.words!.map((w) => normalize(w.word)).join(' ')).toBe(JFK);
    for (const w of r.words!) expect(w.end).toBeGreaterThanOrEqual(w.start);
  });

  test('word granularity alone: words and no segments', async () => {
    const r = await client.audio.transcriptions.create({
      file: jfk(),
      model: 'tiny.en',
      response_format: 'verbose_json',
      timestamp_granularities: ['word'],
    });
    expect(r.segments).toBeUndefined();
    expect(r.words!.length).toBeGreaterThan(10);
  });
});

describe('multilingual', () => {
  test('translation of German speech with base: English text, language "english"', async () => {
    // openai-node 6.x types translations.create as Translation whatever the format (its
    // TranslationCreateParams ignores the ResponseFormat parameter), hence the cast.
    const r = (await client.audio.translations.create({
      file: fs.createReadStream(audio('picovoice_test_de.wav')),
      model: 'base',
      response_format: 'verbose_json',
    })) as unknown as OpenAI.Audio.TranslationVerbose;
    expect(r.language).toBe('english');
    expect(r.text).toMatch(/\b(the|room|portal|hall)\b/i);
    expect(r.text).not.toMatch(/\b(der|wurde|genutzt)\b/i);
  });

  test('transcription with base auto-detects German and names it', async () => {
    const r = await client.audio.transcriptions.create({
      file: fs.createReadStream(audio('picovoice_test_de.wav')),
      model: 'base',
      response_format: 'verbose_json',
    });
    expect(r.language).toBe('german');
    expect(normalize(r.text)).toMatch(/portal/);
  });

  test('translating with an English-only model is a BadRequestError', async () => {
    await expect(client.audio.translations.create({ file: jfk(), model: 'tiny.en' })).rejects.toBeInstanceOf(BadRequestError);
  });
});

test('stream: deltas arrive as segments are decoded, well before done', async () => {
  const t0 = Date.now();
  const stream = await client.audio.transcriptions.create({
    // The 80 s clip four times over: the 80 s clip alone now ends about a second after its first delta.
    file: fs.createReadStream(longSpeechFile()),
    model: 'tiny.en',
    stream: true,
  });
  const deltas: { at: number; text: string }[] = [];
  let done: { at: number; text: string; usage: unknown } | undefined;
  for await (const event of stream) {
    if (event.type === 'transcript.text.delta') deltas.push({ at: Date.now() - t0, text: event.delta });
    if (event.type === 'transcript.text.done') done = { at: Date.now() - t0, text: event.text, usage: event.usage };
  }
  expect(done).toBeDefined();
  expect(deltas.length).toBeGreaterThan(2);
  // 320 s of audio is many chunks: the first chunk's text must not wait for the last.
  expect(done!.at - deltas[0].at).toBeGreaterThan(500);
  expect(deltas.map((d) => d.text).join('')).toBe(done!.text);
  // CPU decoding is not bit-identical run to run: tiny.en at beam 5 hears "asked not" in some runs.
  expect(normalize(done!.text)).toMatch(/ask(ed)? not what your country can do for you/);
  expect(done!.usage).toEqual({ type: 'duration', seconds: 319 }); // 4 × 79.638 s, rounded up
}, 120_000);

test('models: list and retrieve', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  expect(ids).toEqual(expect.arrayContaining(['tiny.en', 'base', 'whisper-1']));
  const m = await client.models.retrieve('whisper-1');
  expect(m).toMatchObject({ id: 'whisper-1', object: 'model', owned_by: 'local' });
});

describe('typed errors', () => {
  test('non-audio → BadRequestError with param file', async () => {
    const file = await toFile(Buffer.from('this is not audio at all'), 'notes.mp3');
    const err = await client.audio.transcriptions.create({ file, model: 'tiny.en' }).catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.param).toBe('file');
    expect(err.requestID).toBeTruthy();
  });

  test('over MAX_UPLOAD_BYTES → APIError with status 413', async () => {
    const file = await toFile(Buffer.alloc(12_500_000, 7), 'huge.wav');
    const err = await client.audio.transcriptions.create({ file, model: 'tiny.en' }).catch((e) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err.status).toBe(413);
    expect(err.code).toBe('file_too_large');
  });

  test('wrong key → AuthenticationError', async () => {
    const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${server.url}/v1`, maxRetries: 0 });
    await expect(bad.models.list()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(bad.audio.transcriptions.create({ file: jfk(), model: 'tiny.en' })).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('unknown model → NotFoundError', async () => {
    await expect(client.audio.transcriptions.create({ file: jfk(), model: 'large-v9' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.models.retrieve('large-v9')).rejects.toBeInstanceOf(NotFoundError);
  });

  test('queue full → RateLimitError with Retry-After; aborting the others frees the slot', async () => {
    const long = () => fs.createReadStream(longSpeechFile()); // still decoding while the queue fills
    const acs = [new AbortController(), new AbortController()];
    const running = acs.map((ac) =>
      client.audio.transcriptions.create({ file: long(), model: 'tiny.en' }, { signal: ac.signal }).catch((e) => e),
    );
    await waitFor(async () => (await server.metric('whisper_queue_depth', 'tiny.en')) === 1, 30_000);
    const err = await client.audio.transcriptions.create({ file: long(), model: 'tiny.en' }).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.code).toBe('queue_full');
    expect(Number(err.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    for (const ac of acs) ac.abort();
    await Promise.all(running);
    // The bound on how fast a disconnect frees the slot is asserted in cancel-drain.test.ts.
    await waitFor(async () => (await server.metric('whisper_inflight_requests', 'tiny.en')) === 0, 10_000);
    expect(await server.metric('whisper_queue_depth', 'tiny.en')).toBe(0);
  }, 60_000);
});
