import { afterAll, beforeAll, expect, test } from 'vitest';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ MAX_FILES_PER_REQUEST: '3' });
});
afterAll(() => t.close());

test('several files under any field names, one result each, in order', async () => {
  const body = await multipart([
    ['file', audioFile(2, 'a.wav')],
    ['files[]', audioFile(3, '../../b.mp3')],
    ['other', audioFile(4, 'c.flac')],
  ]);
  const res = await t.app.inject({ method: 'POST', url: '/whisper', ...body });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({
    results: [
      { filename: 'a.wav', transcript: 'Hello there. General Kenobi.' },
      { filename: 'b.mp3', transcript: 'Hello there. General Kenobi.' },
      { filename: 'c.flac', transcript: 'Hello there. General Kenobi.' },
    ],
  });
  expect(t.pool.params).toHaveLength(3);
  expect(await t.leftovers()).toEqual([]);
});

test('model defaults to DEFAULT_MODEL; options apply to every file', async () => {
  t.pool.params.length = 0;
  const res = await t.app.inject({ method: 'POST', url: '/whisper', ...(await multipart({ file: audioFile(), language: 'en', temperature: '0.2' })) });
  expect(res.statusCode).toBe(200);
  expect(t.pool.params[0]).toMatchObject({ language: 'en', temperature: 0.2 });
});

test('more than MAX_FILES_PER_REQUEST files is a 400 too_many_files', async () => {
  const body = await multipart([1, 2, 3, 4].map((i) => ['file', audioFile(1, `${i}.wav`)] as [string, ReturnType<typeof audioFile>]));
  const res = await t.app.inject({ method: 'POST', url: '/whisper', ...body });
  expect(res.statusCode).toBe(400);
  expect(expectOpenAIError(res.json()).code).toBe('too_many_files');
  expect(await t.leftovers()).toEqual([]);
});

test('no file is a 400 missing file', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/whisper', ...(await multipart({ model: 'tiny.en' })) });
  expect(res.statusCode).toBe(400);
  expect(expectOpenAIError(res.json())).toMatchObject({ param: 'file', code: 'missing_required_parameter' });
});

test('one bad file fails the request with its error', async () => {
  const body = await multipart([
    ['file', audioFile(2, 'a.wav')],
    ['file', { data: 'garbage', filename: 'b.wav' }],
  ]);
  const res = await t.app.inject({ method: 'POST', url: '/whisper', ...body });
  expect(res.statusCode).toBe(400);
  expect(expectOpenAIError(res.json()).param).toBe('file');
});
