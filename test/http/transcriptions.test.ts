import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ BEAM_SIZE: '3', BEST_OF: '4', THREADS_PER_REQUEST: '2' });
});
afterAll(() => t.close());
beforeEach(() => {
  t.pool.params.length = 0;
});

async function post(fields: Parameters<typeof multipart>[0], url = '/v1/audio/transcriptions') {
  const res = await t.app.inject({ method: 'POST', url, ...(await multipart(fields)) });
  expect(await t.leftovers()).toEqual([]);
  return res;
}

describe('response formats', () => {
  test('json (the default) is {text, usage}', async () => {
    const res = await post({ file: audioFile(8.47), model: 'whisper-1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ text: 'Hello there. General Kenobi.', usage: { type: 'duration', seconds: 9 } });
  });

  test('text, srt and vtt are plain bodies', async () => {
    const text = await post({ file: audioFile(), model: 'tiny.en', response_format: 'text' });
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.body).toBe('Hello there. General Kenobi.\n');
    const srt = await post({ file: audioFile(), model: 'tiny.en', response_format: 'srt' });
    expect(srt.headers['content-type']).toMatch(/^text\/plain/);
    expect(srt.body).toMatch(/^1\n00:00:00,000 --> 00:00:02,000\nHello there\.\n\n2\n/);
    const vtt = await post({ file: audioFile(), model: 'tiny.en', response_format: 'vtt' });
    expect(vtt.headers['content-type']).toMatch(/^text\/vtt/);
    expect(vtt.body).toMatch(/^WEBVTT\n\n00:00:00\.000 --> 00:00:02\.000\nHello there\.\n/);
  });

  test('verbose_json: segments by default, words only when asked', async () => {
    const plain = (await post({ file: audioFile(), model: 'tiny.en', response_format: 'verbose_json' })).json();
    expect(plain).toMatchObject({ task: 'transcribe', language: 'english', duration: 4, usage: { type: 'duration', seconds: 4 } });
    expect(plain.segments).toHaveLength(2);
    expect(plain.words).toBeUndefined();
    expect(t.pool.params[0].wordTimestamps).toBe(false);

    const words = (await post({ file: audioFile(), model: 'tiny.en', response_format: 'verbose_json', 'timestamp_granularities[]': 'word' })).json();
    expect(words.segments).toBeUndefined();
    expect(words.words[0]).toEqual({ word: 'Hello', start: 0, end: 0.4 });
    expect(t.pool.params[1].wordTimestamps).toBe(true);
  });
});

describe('the encodings SDKs and curl really send', () => {
  const verbose = { file: audioFile(), model: 'tiny.en', response_format: 'verbose_json' };
  test.each([
    ['key[] repeated (openai-node, openai-python)', [['timestamp_granularities[]', 'word'], ['timestamp_granularities[]', 'segment']]],
    ['key repeated (curl -F k=a -F k=b)', [['timestamp_granularities', 'word'], ['timestamp_granularities', 'segment']]],
    ['indexed key[0], key[1]', [['timestamp_granularities[0]', 'word'], ['timestamp_granularities[1]', 'segment']]],
  ])('%s', async (_name, extra) => {
    const res = await post([...Object.entries(verbose), ...(extra as [string, string][])]);
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())).toEqual(expect.arrayContaining(['segments', 'words']));
  });

  test('a lone key= value is a one-element array', async () => {
    const res = await post({ ...verbose, timestamp_granularities: 'word' });
    expect(res.json().words).toBeDefined();
  });

  test.each(['true', 'True', 'false'])('stream=%s is a boolean', async (value) => {
    const res = await post({ file: audioFile(), model: 'tiny.en', stream: value });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(value.toLowerCase() === 'true' ? /^text\/event-stream/ : /^application\/json/);
  });

  test('chunking_strategy: "auto" and the server_vad object (chunking_strategy[type]=...) are accepted', async () => {
    expect((await post({ file: audioFile(), model: 'tiny.en', chunking_strategy: 'auto' })).statusCode).toBe(200);
    const vad = await post({
      file: audioFile(),
      model: 'tiny.en',
      'chunking_strategy[type]': 'server_vad',
      'chunking_strategy[threshold]': '0.6',
      'chunking_strategy[silence_duration_ms]': '300',
    });
    expect(vad.statusCode).toBe(200);
    const bad = await post({ file: audioFile(), model: 'tiny.en', 'chunking_strategy[type]': 'semantic' });
    expect(bad.statusCode).toBe(400);
    expect(expectOpenAIError(bad.json()).param).toBe('chunking_strategy');
  });

  test('empty fields count as not given', async () => {
    const res = await post({ file: audioFile(), model: 'tiny.en', language: '', prompt: '' });
    expect(res.statusCode).toBe(200);
  });
});

describe('decoding parameters reach the engine', () => {
  test('language (code or name), prompt, temperature and server defaults', async () => {
    await post({ file: audioFile(), model: 'base', language: 'German', prompt: 'Glossar: Kenobi', temperature: '0.4' });
    expect(t.pool.params[0]).toMatchObject({
      language: 'de',
      prompt: 'Glossar: Kenobi',
      temperature: 0.4,
      translate: false,
      beamSize: 3,
      bestOf: 4,
      threads: 2,
    });
  });
  test('a clip shorter than the window encodes over its own length (floor 10 s, margin 2 s); a long one uses the full window', async () => {
    await post({ file: audioFile(8.47), model: 'base' });
    await post({ file: audioFile(20), model: 'base' });
    await post({ file: audioFile(29), model: 'base' });
    expect(t.pool.params.map((p) => p.audioCtx)).toEqual([600, 1100, undefined]);
  });
  test('temperature defaults to 0 (automatic fallback)', async () => {
    await post({ file: audioFile(), model: 'base' });
    expect(t.pool.params[0].temperature).toBe(0);
  });
});

describe('validation errors are OpenAI 400s naming the parameter', () => {
  test.each([
    ['missing file', { model: 'tiny.en' }, 'file', 'missing_required_parameter'],
    ['missing model', { file: audioFile() }, 'model', 'missing_required_parameter'],
    ['bad response_format', { file: audioFile(), model: 'tiny.en', response_format: 'xml' }, 'response_format', 'invalid_value'],
    ['temperature above 1', { file: audioFile(), model: 'tiny.en', temperature: '1.5' }, 'temperature', 'invalid_value'],
    ['temperature not a number', { file: audioFile(), model: 'tiny.en', temperature: 'hot' }, 'temperature', 'invalid_value'],
    ['negative temperature', { file: audioFile(), model: 'tiny.en', temperature: '-0.1' }, 'temperature', 'invalid_value'],
    ['bad granularity', { file: audioFile(), model: 'tiny.en', response_format: 'verbose_json', 'timestamp_granularities[]': 'char' }, 'timestamp_granularities', 'invalid_value'],
    ['unknown language', { file: audioFile(), model: 'base', language: 'klingon' }, 'language', 'invalid_value'],
    ['stream not a boolean', { file: audioFile(), model: 'tiny.en', stream: 'perhaps' }, 'stream', 'invalid_value'],
    ['file sent as a text field', { file: 'not a file', model: 'tiny.en' }, 'file', 'invalid_value'],
    ['word granularity without verbose_json', { file: audioFile(), model: 'tiny.en', 'timestamp_granularities[]': 'word' }, 'timestamp_granularities', 'invalid_value'],
    ['include[]=logprobs with srt', { file: audioFile(), model: 'tiny.en', response_format: 'srt', 'include[]': 'logprobs' }, 'include', 'invalid_value'],
    ['include[] unknown value', { file: audioFile(), model: 'tiny.en', 'include[]': 'everything' }, 'include', 'invalid_value'],
    ['non-English language on an English-only model', { file: audioFile(), model: 'tiny.en', language: 'de' }, 'language', 'unsupported_language'],
  ])('%s', async (_name, fields, param, code) => {
    const res = await post(fields as never);
    expect(res.statusCode).toBe(400);
    const e = expectOpenAIError(res.json());
    expect(e).toMatchObject({ type: 'invalid_request_error', param, code });
  });

  test('an unknown model is a 404 model_not_found', async () => {
    const res = await post({ file: audioFile(), model: 'large-v9' });
    expect(res.statusCode).toBe(404);
    expect(expectOpenAIError(res.json())).toMatchObject({ code: 'model_not_found', param: 'model' });
  });

  test('a path-like model name never escapes MODELS_DIR', async () => {
    const res = await post({ file: audioFile(), model: '../models/ggml-base' });
    expect(res.statusCode).toBe(404);
  });

  test('undecodable audio is a 400 on param file, and never reaches the pool', async () => {
    const before = t.pool.params.length;
    const res = await post({ file: { data: 'hello', filename: 'a.mp3' }, model: 'tiny.en' });
    expect(res.statusCode).toBe(400);
    expect(expectOpenAIError(res.json()).param).toBe('file');
    expect(t.pool.params.length).toBe(before);
  });

  test('audio over MAX_AUDIO_SECONDS is a 400 audio_too_long', async () => {
    const res = await post({ file: audioFile(7201), model: 'tiny.en' });
    expect(res.statusCode).toBe(400);
    expect(expectOpenAIError(res.json()).code).toBe('audio_too_long');
  });
});

describe('translations', () => {
  test('output is English, verbose language is "english"', async () => {
    const res = await post({ file: audioFile(), model: 'base', response_format: 'verbose_json' }, '/v1/audio/translations');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ task: 'translate', language: 'english' });
    expect(t.pool.params[0].translate).toBe(true);
  });

  test('an English-only model cannot translate: a clear 400', async () => {
    const res = await post({ file: audioFile(), model: 'tiny.en' }, '/v1/audio/translations');
    expect(res.statusCode).toBe(400);
    const e = expectOpenAIError(res.json());
    expect(e).toMatchObject({ param: 'model', code: 'model_not_multilingual' });
    expect(e.message).toMatch(/English-only/);
  });

  test('whisper-1 follows DEFAULT_MODEL (tiny.en here), so it cannot translate either', async () => {
    const res = await post({ file: audioFile(), model: 'whisper-1' }, '/v1/audio/translations');
    expect(res.statusCode).toBe(400);
  });

  test.each(['text', 'srt', 'vtt', 'json'])('format %s', async (format) => {
    const res = await post({ file: audioFile(), model: 'base', response_format: format }, '/v1/audio/translations');
    expect(res.statusCode).toBe(200);
  });
});
