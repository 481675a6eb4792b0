/**
 * The SageMaker contract over app.inject, as SageMaker calls it (GET /ping, POST /invocations
 * with raw bytes or JSON, parameters in X-Amzn-SageMaker-Custom-Attributes, output by Accept),
 * with the fake pool and decoder. Then the bad-input corpus: every refusal is an OpenAI-shaped
 * 4xx with the right status, leaves no spool files, and never reaches the pool.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAudio } from './helpers/fakes.js';
import { expectOpenAIError, makeTestApp, type TestApp } from './helpers/app.js';
import { applySageMakerEnv } from '../../src/sagemaker/serve-env.js';
import { parseCustomAttributes } from '../../src/sagemaker/attributes.js';
import { formatFromAccept } from '../../src/sagemaker/accept.js';

let t: TestApp;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await t?.close();
});

const invoke = (payload: string | Buffer | undefined, headers: Record<string, string> = {}, url = '/invocations') =>
  t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'audio/wav', ...headers } });

describe('GET /ping', () => {
  it('is 503 until the default model is loaded, then 200 with an empty body; 503 again while draining', async () => {
    t = await makeTestApp();
    const before = await t.app.inject({ url: '/ping' });
    expect(before.statusCode).toBe(503);
    expectOpenAIError(before.json());
    await t.pool.load('tiny.en');
    const ready = await t.app.inject({ url: '/ping' });
    expect(ready.statusCode).toBe(200);
    expect(ready.body).toBe('');
    t.app.services.lifecycle.startDrain();
    expect((await t.app.inject({ url: '/ping' })).statusCode).toBe(503);
  });

  it('answers at once while every model slot is busy', async () => {
    t = await makeTestApp({}, { concurrency: 1 });
    await t.pool.load('tiny.en');
    t.pool.script.segmentDelayMs = 400;
    const busy = invoke(fakeAudio(4));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    expect((await t.app.inject({ url: '/ping' })).statusCode).toBe(200);
    expect(performance.now() - t0).toBeLessThan(200);
    expect((await busy).statusCode).toBe(200);
  });
});

describe('POST /invocations', () => {
  it('transcribes raw audio bytes with the default model; JSON by default', async () => {
    t = await makeTestApp();
    const res = await invoke(fakeAudio(4));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({ text: 'Hello there. General Kenobi.', usage: { type: 'duration', seconds: 4 } });
    expect(await t.leftovers()).toEqual([]);
  });

  it('serves the same bytes as /v1/audio/transcriptions for every Accept type', async () => {
    t = await makeTestApp();
    const cases = [
      ['application/json', 'json', 'application/json; charset=utf-8'],
      ['text/plain', 'text', 'text/plain; charset=utf-8'],
      ['text/vtt', 'vtt', 'text/vtt; charset=utf-8'],
      ['application/x-subrip', 'srt', 'application/x-subrip; charset=utf-8'],
      ['application/vnd.whisper.verbose+json', 'verbose_json', 'application/json; charset=utf-8'],
    ] as const;
    for (const [accept, format, type] of cases) {
      const res = await invoke(fakeAudio(4), { accept, 'content-type': 'application/octet-stream' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      const fd = new FormData();
      fd.append('model', 'tiny.en');
      fd.append('response_format', format);
      fd.append('file', new Blob([fakeAudio(4)]), 'a.wav');
      const req = new Request('http://x/', { method: 'POST', body: fd });
      const sync = await t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } });
      expect(res.body).toBe(sync.body);
    }
  });

  it('reads parameters from X-Amzn-SageMaker-Custom-Attributes and echoes the header', async () => {
    t = await makeTestApp();
    const attrs = 'model=base,language=de,temperature=0.2,prompt=Hallo%2C%20Welt,timestamp_granularities=word,timestamp_granularities=segment';
    const res = await invoke(fakeAudio(4), { 'x-amzn-sagemaker-custom-attributes': attrs, accept: 'application/vnd.whisper.verbose+json' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['x-amzn-sagemaker-custom-attributes']).toBe(attrs);
    expect(res.json()).toMatchObject({ language: 'german', words: expect.any(Array), segments: expect.any(Array) });
    expect(t.pool.params.at(-1)).toMatchObject({ language: 'de', temperature: 0.2, prompt: 'Hallo, Welt', wordTimestamps: true });
  });

  it('takes JSON with audio_b64 and parameters, and translates with task=translate', async () => {
    t = await makeTestApp();
    const res = await invoke(JSON.stringify({ audio_b64: fakeAudio(3).toString('base64'), model: 'base', task: 'translate', response_format: 'text' }), { 'content-type': 'application/json' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toContain('(en)');
    expect(t.pool.params.at(-1)).toMatchObject({ translate: true });
  });

  it('fetches an http audio_url through the guarded client (private addresses allowed only by ALLOW_PRIVATE_URLS)', async () => {
    const server = http.createServer((_req, res) => res.end(fakeAudio(2)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/a.wav`;
    t = await makeTestApp({ ALLOW_PRIVATE_URLS: 'true' });
    const res = await invoke(JSON.stringify({ audio_url: url }), { 'content-type': 'application/json' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().usage.seconds).toBe(2);
    await t.close();
    t = await makeTestApp();
    const refused = await invoke(JSON.stringify({ audio_url: url }), { 'content-type': 'application/json' });
    expect(refused.statusCode).toBe(400);
    expect(expectOpenAIError(refused.json())).toMatchObject({ param: 'audio_url' });
  });

  it('answers 504 invocation_timeout when the work outlives the deadline', async () => {
    t = await makeTestApp();
    t.pool.script.segmentDelayMs = 5_000;
    // The deadline is SageMaker's (60 s): a service over the app's own transcription service, with a short one.
    const { createSageMakerService } = await import('../../src/sagemaker/service.js');
    const svc = createSageMakerService({
      transcription: t.app.services.transcription, defaultModel: 'tiny.en', isReady: () => true,
      client: { check: async () => new URL('http://x'), request: async () => { throw new Error('unused'); } },
      allowedBuckets: [], limits: { maxBytes: 100, deadlineSeconds: 0.2 },
    });
    const fs = await import('node:fs/promises');
    const file = `${t.tmpDir}/clip`;
    await fs.writeFile(file, fakeAudio(4));
    const err = await svc.invoke({ source: { kind: 'file', path: file, bytes: 6 }, params: { task: 'transcribe', format: 'json', granularities: [] }, workDir: t.tmpDir }).catch((e) => e);
    await fs.rm(file);
    expect(err).toMatchObject({ status: 504, code: 'invocation_timeout' });
  });
});

describe('bad SageMaker payloads: OpenAI-shaped 4xx, nothing left behind, nothing computed', () => {
  const huge = Buffer.alloc(6 * 1024 * 1024 + 1, 1);
  const corpus: { name: string; payload?: string | Buffer; headers?: Record<string, string>; url?: string; status: number; code?: string; param?: string }[] = [
    { name: 'wrong content type', payload: 'hello', headers: { 'content-type': 'text/csv' }, status: 415, code: 'unsupported_media_type' },
    { name: 'multipart instead of raw bytes', payload: '--x\r\n\r\n--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' }, status: 415 },
    { name: 'no content type', payload: 'FAKE 1', headers: { 'content-type': '' }, status: 415 },
    { name: 'empty raw body', payload: '', status: 400, code: 'empty_body' },
    { name: 'oversize raw body (6 MiB + 1)', payload: huge, status: 413 },
    { name: 'garbage audio', payload: Buffer.from('not audio at all'), status: 400, param: 'file' },
    { name: 'bad JSON', payload: '{"audio_b64": ', headers: { 'content-type': 'application/json' }, status: 400, code: 'invalid_json' },
    { name: 'JSON array', payload: '[1,2]', headers: { 'content-type': 'application/json' }, status: 400, code: 'invalid_json' },
    { name: 'JSON without audio', payload: '{"language":"en"}', headers: { 'content-type': 'application/json' }, status: 400, param: 'audio_b64' },
    { name: 'both audio_b64 and audio_url', payload: JSON.stringify({ audio_b64: 'RkFLRSAx', audio_url: 'https://example.com/a.wav' }), headers: { 'content-type': 'application/json' }, status: 400, code: 'conflicting_parameters' },
    { name: 'invalid base64', payload: JSON.stringify({ audio_b64: '***' }), headers: { 'content-type': 'application/json' }, status: 400, code: 'invalid_base64' },
    { name: 'bad s3 URI', payload: JSON.stringify({ audio_url: 's3://Bad_Bucket' }), headers: { 'content-type': 'application/json' }, status: 400, code: 'invalid_url', param: 'audio_url' },
    { name: 's3 input without STORAGE=s3', payload: JSON.stringify({ audio_url: 's3://my-bucket/a.wav' }), headers: { 'content-type': 'application/json' }, status: 400, code: 'unsupported_url' },
    { name: 'file: URL', payload: JSON.stringify({ audio_url: 'file:///etc/passwd' }), headers: { 'content-type': 'application/json' }, status: 400, param: 'audio_url' },
    { name: 'metadata address', payload: JSON.stringify({ audio_url: 'http://169.254.169.254/latest/meta-data' }), headers: { 'content-type': 'application/json' }, status: 400, param: 'audio_url' },
    { name: 'unknown JSON parameter', payload: JSON.stringify({ audio_b64: 'RkFLRSAx', beam: 5 }), headers: { 'content-type': 'application/json' }, status: 400, code: 'unknown_parameter', param: 'beam' },
    { name: 'unknown custom attribute', payload: 'FAKE 1', headers: { 'x-amzn-sagemaker-custom-attributes': 'colour=blue' }, status: 400, code: 'unknown_parameter', param: 'colour' },
    { name: 'malformed custom attributes', payload: 'FAKE 1', headers: { 'x-amzn-sagemaker-custom-attributes': 'language' }, status: 400, code: 'invalid_custom_attributes' },
    { name: 'custom attributes over 1024 chars', payload: 'FAKE 1', headers: { 'x-amzn-sagemaker-custom-attributes': `prompt=${'a'.repeat(1100)}` }, status: 400, code: 'invalid_custom_attributes' },
    { name: 'a parameter both in JSON and attributes', payload: JSON.stringify({ audio_b64: 'RkFLRSAx', language: 'en' }), headers: { 'content-type': 'application/json', 'x-amzn-sagemaker-custom-attributes': 'language=de' }, status: 400, code: 'conflicting_parameters' },
    { name: 'unsupported language', payload: 'FAKE 1', headers: { 'x-amzn-sagemaker-custom-attributes': 'language=klingon' }, status: 400, param: 'language' },
    { name: 'temperature out of range', payload: 'FAKE 1', headers: { 'x-amzn-sagemaker-custom-attributes': 'temperature=3' }, status: 400, param: 'temperature' },
    { name: 'unknown response_format', payload: JSON.stringify({ audio_b64: 'RkFLRSAx', response_format: 'xml' }), headers: { 'content-type': 'application/json' }, status: 400, param: 'response_format' },
    { name: 'unknown model', payload: 'FAKE 1', headers: { 'x-amzn-sagemaker-custom-attributes': 'model=nope' }, status: 404, code: 'model_not_found' },
    { name: 'English-only model asked to translate', payload: 'FAKE 1', headers: { 'x-amzn-sagemaker-custom-attributes': 'task=translate' }, status: 400, code: 'model_not_multilingual' },
    { name: 'Accept nobody makes', payload: 'FAKE 1', headers: { accept: 'image/png' }, status: 406, code: 'not_acceptable' },
    { name: 'Accept contradicting response_format', payload: 'FAKE 1', headers: { accept: 'text/vtt', 'x-amzn-sagemaker-custom-attributes': 'response_format=srt' }, status: 400, code: 'conflicting_parameters' },
    { name: 'word timestamps without verbose output', payload: 'FAKE 1', headers: { 'x-amzn-sagemaker-custom-attributes': 'timestamp_granularities=word' }, status: 400, param: 'timestamp_granularities' },
    { name: 'query parameters', payload: 'FAKE 1', url: '/invocations?language=en', status: 400, code: 'unknown_parameter' },
  ];

  it.each(corpus)('$name → $status', async (c) => {
    t = await makeTestApp();
    const before = t.pool.params.length;
    const res = await invoke(c.payload, c.headers, c.url);
    expect(res.statusCode, res.body).toBe(c.status);
    const e = expectOpenAIError(res.json());
    if (c.code) expect(e.code).toBe(c.code);
    if (c.param) expect(e.param).toBe(c.param);
    expect(t.pool.params.length).toBe(before);
    expect(await t.leftovers()).toEqual([]);
  });

  it('with API_KEYS set, /invocations needs the key and /ping does not', async () => {
    t = await makeTestApp({ API_KEYS: 'sk-sm' });
    await t.pool.load('tiny.en');
    expect((await invoke(fakeAudio(1))).statusCode).toBe(401);
    expect((await invoke(fakeAudio(1), { authorization: 'Bearer sk-sm' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/ping' })).statusCode).toBe(200);
  });

  it('refuses new invocations while draining (503)', async () => {
    t = await makeTestApp();
    t.app.services.lifecycle.startDrain();
    const res = await invoke(fakeAudio(1));
    expect(res.statusCode).toBe(503);
    expect(expectOpenAIError(res.json()).code).toBe('server_shutting_down');
  });
});

describe('SAGEMAKER_ASYNC', () => {
  it('lifts the 6 MiB cap to ASYNC_MAX_UPLOAD_BYTES', async () => {
    t = await makeTestApp({ SAGEMAKER_ASYNC: 'true', ASYNC_MAX_UPLOAD_BYTES: String(8 * 1024 * 1024) });
    const big = Buffer.concat([Buffer.from('FAKE 1'), Buffer.alloc(7 * 1024 * 1024, 32)]);
    // The fake decoder sees trailing spaces as garbage: a 400 from the decoder proves the body got through.
    const res = await invoke(big);
    expect(res.statusCode).toBe(400);
    expect(expectOpenAIError(res.json()).param).toBe('file');
    const over = await invoke(Buffer.alloc(8 * 1024 * 1024 + 1, 1));
    expect(over.statusCode).toBe(413);
    expect(await t.leftovers()).toEqual([]);
  });
});

describe('serve, custom attributes and Accept, as units', () => {
  it('serve listens on SAGEMAKER_BIND_TO_PORT or 8080, reads /opt/ml/model when it holds weights, keeps the drain under 30 s', () => {
    expect(applySageMakerEnv({ PORT: '8000' }, '/opt/ml/model', () => false)).toMatchObject({ PORT: '8080', HOST: '0.0.0.0', SHUTDOWN_GRACE_SECONDS: '20', DATA_DIR: '/tmp/whisper-data' });
    const env = applySageMakerEnv({ SAGEMAKER_BIND_TO_PORT: '9123', MODELS_DIR: '/models', SHUTDOWN_GRACE_SECONDS: '60', HOST: '127.0.0.1' }, '/opt/ml/model', () => true);
    expect(env).toMatchObject({ PORT: '9123', MODELS_DIR: '/opt/ml/model', SHUTDOWN_GRACE_SECONDS: '25', HOST: '127.0.0.1' });
  });

  it('parses k=v pairs, percent-decoding values and collecting repeated keys', () => {
    expect(parseCustomAttributes('a=1, b=x%2Cy,a=2')).toEqual({ a: ['1', '2'], b: 'x,y' });
    expect(parseCustomAttributes(undefined)).toEqual({});
    expect(() => parseCustomAttributes('=1')).toThrow(/key=value/);
  });

  it('honours q-values and wildcards in Accept', () => {
    expect(formatFromAccept('text/vtt;q=0.5, application/x-subrip')).toBe('srt');
    expect(formatFromAccept('*/*')).toBeUndefined();
    expect(formatFromAccept(undefined)).toBeUndefined();
    expect(() => formatFromAccept('image/png, audio/*')).toThrow(/Accept/);
  });
});
