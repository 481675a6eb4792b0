/** The playground's files at `/`, the old /demo address, and GET /v1/status (its status panel). */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { preloadModels } from '../../src/app.js';
import { LANGUAGES } from '../../src/format/languages.js';
import { fakeVad } from '../support/fake-vad.js';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

const KEY = 'sk-playground';
const auth = { authorization: `Bearer ${KEY}` };

describe('the playground page', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp({ API_KEYS: KEY });
  });
  afterAll(() => t.close());

  test('/ is the page, without a key; its scripts, styles and the language table are served', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<script type="module" src="/playground/app.js">');
    for (const f of ['app.js', 'api.js', 'files.js', 'jobs.js', 'live.js', 'transcript.js', 'subtitles.js', 'pcm-worklet.js']) {
      const res = await t.app.inject({ method: 'GET', url: `/playground/${f}` });
      expect(res.statusCode, f).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    }
    expect((await t.app.inject({ method: 'GET', url: '/playground/style.css' })).headers['content-type']).toMatch(/^text\/css/);
    const langs = await t.app.inject({ method: 'GET', url: '/playground/languages.js' });
    expect(langs.body).toBe(`export default ${JSON.stringify(LANGUAGES)};\n`);
  });

  test('only those files: no index.html twice, no way out of the folder', async () => {
    for (const url of ['/playground/index.html', '/playground/../package.json', '/playground/%2e%2e%2fpackage.json', '/playground/nope.js']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });

  test('/demo, the live-only page that was, opens the Live tab', async () => {
    for (const url of ['/demo', '/demo/']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/#live');
    }
  });
});

describe('GET /v1/status', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp({ API_KEYS: KEY, MODEL_ALIASES: 'whisper-1=tiny.en' }, { concurrency: 2, maxQueue: 8 }, { vad: fakeVad() });
  });
  afterAll(() => t.close());

  test('needs the key like /v1/models', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/status' });
    expect(res.statusCode).toBe(401);
    expect(expectOpenAIError(res.json()).code).toBe('invalid_api_key');
  });

  test('models on disk (aliases left out), which are loaded, the queue, the VAD, the jobs', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/v1/status', headers: auth })).json();
    expect(before).toMatchObject({ object: 'server.status', ready: false, draining: false, default_model: 'tiny.en', queue_depth: 0, vad: true, realtime_sessions: 0 });
    expect(before.models.map((m: { id: string }) => m.id).sort()).toEqual(['base', 'tiny.en']);
    expect(before.models.find((m: { id: string }) => m.id === 'tiny.en')).toMatchObject({ multilingual: false, loaded: false });

    await preloadModels(t.app);
    // Two slots busy and one waiting, as the pool reports them.
    t.pool.script = { segmentDelayMs: 300 };
    const send = async () => {
      const { payload, headers } = await multipart({ file: audioFile(), model: 'tiny.en' });
      return t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload, headers: { ...headers, ...auth } });
    };
    const running = [send(), send(), send()];
    const status = async () => (await t.app.inject({ method: 'GET', url: '/v1/status', headers: auth })).json();
    let busy = await status();
    for (let i = 0; i < 100 && busy.queue_depth < 1; i++) {
      await new Promise((r) => setTimeout(r, 20));
      busy = await status();
    }
    expect(busy.ready).toBe(true);
    expect(busy.queue_depth).toBe(1);
    expect(busy.models.find((m: { id: string }) => m.id === 'tiny.en')).toEqual({
      id: 'tiny.en', multilingual: false, loaded: true, in_flight: 2, queued: 1, concurrency: 2, max_queue: 8,
    });
    expect(busy.jobs).toEqual({ queued: 0, processing: 0, backlog_audio_seconds: 0 });
    for (const r of await Promise.all(running)) expect(r.statusCode).toBe(200);
  });
});
