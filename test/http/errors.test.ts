/** Every failure, Fastify's own included, is an OpenAI error body; nothing is left in the spool. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ MAX_UPLOAD_BYTES: '1000' });
});
afterAll(() => t.close());

const url = '/v1/audio/transcriptions';

async function expectError(res: { statusCode: number; json(): unknown; headers: Record<string, unknown> }, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(await t.leftovers()).toEqual([]);
  return expectOpenAIError(res.json());
}

describe('Fastify-level failures', () => {
  test('unknown route: 404 unknown_url', async () => {
    const e = await expectError(await t.app.inject({ method: 'GET', url: '/v1/nope' }), 404);
    expect(e.code).toBe('unknown_url');
  });

  test('wrong method: 404 too', async () => {
    await expectError(await t.app.inject({ method: 'GET', url }), 404);
  });

  test('a JSON body, even a broken one, is a 415', async () => {
    await expectError(await t.app.inject({ method: 'POST', url, payload: { file: 'x', model: 'tiny.en' } }), 415);
    await expectError(await t.app.inject({ method: 'POST', url, payload: '{bad', headers: { 'content-type': 'application/json' } }), 415);
  });

  test('a raw audio body or no content type: 415', async () => {
    await expectError(await t.app.inject({ method: 'POST', url, payload: 'RIFF', headers: { 'content-type': 'audio/wav' } }), 415);
    await expectError(await t.app.inject({ method: 'POST', url }), 415);
  });

  test("Fastify's own 414 (path parameter too long) is OpenAI-shaped", async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/models/x'.padEnd(5000, 'x') });
    await expectError(res, 414);
  });

  test('a malformed URL is an OpenAI-shaped 400', async () => {
    await expectError(await t.app.inject({ method: 'GET', url: '/v1/models/%E0%A4%A' }), 400);
  });
});

describe('multipart failures', () => {
  const raw = (payload: string, contentType = 'multipart/form-data; boundary=XX') =>
    t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });

  test('no boundary', async () => {
    expect((await expectError(await raw('abc', 'multipart/form-data'), 400)).code).toBe('invalid_multipart');
  });
  test('truncated body', async () => {
    await expectError(await raw('--XX\r\nContent-Disposition: form-data; name="model"\r\n\r\ntiny'), 400);
  });
  test('a part with a broken header', async () => {
    await expectError(await raw('--XX\r\nContent-Disposition form-data\r\n\r\nx\r\n--XX--\r\n'), 400);
  });
  test('an empty multipart body is a missing file', async () => {
    const e = await expectError(await raw(''), 400);
    expect(e.param).toBe('file');
  });
  test('__proto__ fields are refused', async () => {
    const body = '--XX\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n--XX--\r\n';
    await expectError(await raw(body), 400);
  });

  test('over MAX_UPLOAD_BYTES: 413 with param file', async () => {
    const big = await multipart({ file: { data: Buffer.alloc(1001, 1), filename: 'big.wav' }, model: 'tiny.en' });
    const e = await expectError(await t.app.inject({ method: 'POST', url, ...big }), 413);
    expect(e).toMatchObject({ code: 'file_too_large', param: 'file', type: 'invalid_request_error' });
  });

  test('exactly MAX_UPLOAD_BYTES is fine (and then rejected as not audio)', async () => {
    const edge = await multipart({ file: { data: Buffer.alloc(1000, 1), filename: 'edge.wav' }, model: 'tiny.en' });
    const e = await expectError(await t.app.inject({ method: 'POST', url, ...edge }), 400);
    expect(e.param).toBe('file');
  });

  test('two files where OpenAI takes one: 400 too_many_files', async () => {
    const two = await multipart([
      ['file', audioFile()],
      ['file', audioFile()],
      ['model', 'tiny.en'],
    ]);
    const e = await expectError(await t.app.inject({ method: 'POST', url, ...two }), 400);
    expect(e.code).toBe('too_many_files');
  });

  test('hostile filenames are never used on disk', async () => {
    for (const filename of ['../../etc/passwd', '..\\..\\boot.ini', '/abs/path.wav', 'nul\u0000byte.wav', 'ümlaut-\udcff.wav']) {
      const body = await multipart({ file: { data: 'FAKE 2', filename }, model: 'tiny.en' });
      const res = await t.app.inject({ method: 'POST', url, ...body });
      expect(res.statusCode).toBe(200);
      expect(await t.leftovers()).toEqual([]);
    }
  });
});

describe('headers', () => {
  test('every reply carries x-request-id (the SDKs expose it as requestID); a sane incoming one is kept', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
    const minted = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'bad id\n' } });
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
