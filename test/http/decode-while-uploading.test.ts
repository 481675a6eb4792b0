/**
 * The audio routes decode an upload while it arrives (DECODE_WHILE_UPLOADING, audio/early-decode.ts):
 * the file part goes to the spool file and to the decoder's stream input at once. The spool file
 * stays the fallback, and every early decode ends with its request.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

let t: TestApp;
let off: TestApp;
beforeAll(async () => {
  t = await makeTestApp({}, {}, { streams: true });
  off = await makeTestApp({ DECODE_WHILE_UPLOADING: 'false' }, {}, { streams: true });
});
afterAll(async () => {
  await t.close();
  await off.close();
});

const post = async (app: TestApp, fields: Parameters<typeof multipart>[0], url = '/v1/audio/transcriptions') => {
  const res = await app.app.inject({ method: 'POST', url, ...(await multipart(fields)) });
  expect(await app.leftovers()).toEqual([]);
  return res;
};
const counts = (app: TestApp) => ({ file: app.decoder.calls, stream: app.decoder.streamCalls });

describe('decode while uploading', () => {
  test('a transcription and a translation take the audio decoded on the way in; the file is not decoded again', async () => {
    const before = counts(t);
    const res = await post(t, { file: audioFile(8.47), model: 'whisper-1', response_format: 'verbose_json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().duration).toBe(8.47);
    const tr = await post(t, { file: audioFile(3), model: 'base' }, '/v1/audio/translations');
    expect(tr.statusCode).toBe(200);
    expect(counts(t)).toEqual({ file: before.file, stream: before.stream + 2 });
  });

  test('a file that only decodes from disk (an MP4 with its index at the end) falls back to the spool file', async () => {
    const before = counts(t);
    const res = await post(t, { file: { data: 'FAKE-SEEK 5', filename: 'talk.m4a', type: 'audio/mp4' }, model: 'whisper-1', response_format: 'verbose_json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().duration).toBe(5);
    expect(counts(t)).toEqual({ file: before.file + 1, stream: before.stream + 1 });
  });

  test('not audio at all: the file decode gives the OpenAI error, as without the early decode', async () => {
    const res = await post(t, { file: { data: 'hello', filename: 'notes.txt', type: 'text/plain' }, model: 'whisper-1' });
    expect(res.statusCode).toBe(400);
    expect(expectOpenAIError(res.json()).message).toMatch(/not audio/);
  });

  test('too long: the same 400 as the file decode gives', async () => {
    const small = await makeTestApp({ MAX_AUDIO_SECONDS: '60' }, {}, { streams: true });
    try {
      const res = await post(small, { file: audioFile(90), model: 'whisper-1' });
      expect(res.statusCode).toBe(400);
      expect(expectOpenAIError(res.json()).code).toBe('audio_too_long');
    } finally {
      await small.close();
    }
  });

  test('a request refused before the audio is read stops its early decode', async () => {
    const before = t.decoder.streamSignals.length;
    const res = await post(t, { file: audioFile(4), model: 'no-such-model' });
    expect(res.statusCode).toBe(404);
    const signals = t.decoder.streamSignals.slice(before);
    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(true);
  });

  test('DECODE_WHILE_UPLOADING=false decodes the spool file only', async () => {
    const res = await post(off, { file: audioFile(4), model: 'whisper-1' });
    expect(res.statusCode).toBe(200);
    expect(counts(off)).toEqual({ file: 1, stream: 0 });
  });
});
