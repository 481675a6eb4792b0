/** /health, /ready, /metrics and the drain. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { preloadModels } from '../../src/app.js';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

describe('readiness and drain', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
  });
  afterAll(() => t.close());

  test('/health is 200 from the start; /ready is 503 until the default model is loaded', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const before = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(before.statusCode).toBe(503);
    expect(expectOpenAIError(before.json()).code).toBe('not_ready');
    await preloadModels(t.app);
    const after = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ status: 'ready', model: 'tiny.en' });
  });

  test('draining: /ready 503, new work 503 draining before the upload is read, /health still 200', async () => {
    t.pool.script = { segmentDelayMs: 200 };
    const inFlight = t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', ...(await multipart({ file: audioFile(), model: 'tiny.en' })) });
    await new Promise((r) => setTimeout(r, 50));
    expect(t.app.services.lifecycle.inFlight()).toBe(1);
    t.app.services.lifecycle.startDrain();

    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(expectOpenAIError(ready.json()).code).toBe('server_shutting_down');
    const refused = await t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', ...(await multipart({ file: audioFile(), model: 'tiny.en' })) });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

    // The accepted request completes normally, and the drain sees it finish.
    expect((await inFlight).statusCode).toBe(200);
    expect(await t.app.services.lifecycle.idle(1000)).toBe(true);
  });
});

describe('metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
  });
  afterAll(() => t.close());

  test('exposes the fixed metric names, with pool gauges per model', async () => {
    await preloadModels(t.app);
    await t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', ...(await multipart({ file: audioFile(10), model: 'whisper-1' })) });
    await t.app.inject({ method: 'POST', url: '/v1/audio/translations', ...(await multipart({ file: audioFile(5), model: 'base' })) });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    for (const name of [
      'whisper_queue_depth',
      'whisper_inflight_requests',
      'whisper_pool_concurrency',
      'whisper_audio_seconds_total',
      'whisper_processing_seconds_total',
      'whisper_realtime_factor',
      'whisper_queue_wait_seconds',
      'whisper_model_load_seconds',
      'whisper_jobs_aborted_total',
      'whisper_jobs_rejected_total',
      'whisper_model_loaded',
      'http_request_duration_seconds',
      'process_cpu_user_seconds_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('whisper_queue_depth{model="tiny.en"} 0');
    expect(text).toContain('whisper_pool_concurrency{model="tiny.en"} 2');
    expect(text).toContain('whisper_model_loaded{model="tiny.en"} 1');
    expect(text).toContain('whisper_audio_seconds_total{model="tiny.en",task="transcribe"} 10');
    expect(text).toContain('whisper_audio_seconds_total{model="base",task="translate"} 5');
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/v1\/audio\/transcriptions",status_code="200"\} 1/);
  });

  test('unmatched URLs share one label instead of minting one per URL', async () => {
    await t.app.inject({ method: 'GET', url: '/random/abc' });
    await t.app.inject({ method: 'GET', url: '/random/def' });
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).not.toContain('/random/');
    expect(text).toMatch(/route="unmatched",status_code="404"\} 2/);
  });

  test('two apps in one process do not clash (a Registry per app)', async () => {
    const other = await makeTestApp();
    expect((await other.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    await other.close();
  });
});

test('/docs serves Swagger UI and the generated document', async () => {
  const t = await makeTestApp();
  const ui = await t.app.inject({ method: 'GET', url: '/docs/' });
  expect(ui.statusCode).toBe(200);
  expect(ui.headers['content-type']).toMatch(/text\/html/);
  const doc = await t.app.inject({ method: 'GET', url: '/docs/json' });
  expect(doc.json().paths['/v1/audio/transcriptions']).toBeDefined();
  await t.close();
});
