import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKeyCheck } from '../../src/http/plugins/auth.js';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

describe('with API_KEYS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp({ API_KEYS: 'sk-one,sk-two', CORS_ORIGINS: 'https://app.example' });
  });
  afterAll(() => t.close());

  test('/v1 needs a bearer key: none → 401, wrong → 401 invalid_api_key, right → 200', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/v1/models' });
    expect(none.statusCode).toBe(401);
    expect(expectOpenAIError(none.json()).code).toBe('invalid_api_key');
    const wrong = await t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: 'Bearer sk-three' } });
    expect(wrong.statusCode).toBe(401);
    const basic = await t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: 'Basic c2stb25l' } });
    expect(basic.statusCode).toBe(401);
    for (const key of ['sk-one', 'sk-two']) {
      const ok = await t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${key}` } });
      expect(ok.statusCode).toBe(200);
    }
  });

  test('auth is checked before the upload is read, for transcriptions and /whisper', async () => {
    for (const url of ['/v1/audio/transcriptions', '/v1/audio/translations', '/whisper']) {
      const res = await t.app.inject({ method: 'POST', url, ...(await multipart({ file: audioFile(), model: 'base' })) });
      expect(res.statusCode).toBe(401);
    }
    expect(t.decoder.calls).toBe(0);
    expect(await t.leftovers()).toEqual([]);
  });

  test('/health, /ready and (by default) /metrics stay open', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).not.toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  test('CORS: the allowed origin is echoed, preflight works, others get no grant', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://app.example' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    const pre = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/audio/transcriptions',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example');
    const other = await t.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

test('METRICS_REQUIRE_AUTH=true guards /metrics', async () => {
  const t = await makeTestApp({ API_KEYS: 'k', METRICS_REQUIRE_AUTH: 'true' });
  expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer k' } })).statusCode).toBe(200);
  await t.close();
});

test('without API_KEYS nothing needs a key, and CORS is off', async () => {
  const t = await makeTestApp();
  const res = await t.app.inject({ method: 'GET', url: '/v1/models', headers: { origin: 'https://x.example' } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['access-control-allow-origin']).toBeUndefined();
  await t.close();
});

test('CORS_ORIGINS=* allows any origin', async () => {
  const t = await makeTestApp({ CORS_ORIGINS: '*' });
  const res = await t.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://x.example' } });
  expect(res.headers['access-control-allow-origin']).toBe('*');
  await t.close();
});

test('key check compares digests of every key', () => {
  const check = createKeyCheck(['alpha', 'beta']);
  expect(check('alpha')).toBe(true);
  expect(check('beta')).toBe(true);
  expect(check('alph')).toBe(false);
  expect(check('')).toBe(false);
  expect(check('alpha'.repeat(1000))).toBe(false);
});
