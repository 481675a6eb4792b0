/**
 * ROLE gating over app.inject (fake pool and decoder, real SQLite store under a shared temp
 * DATA_DIR, as two pods of one process model would share Redis):
 *   - ROLE=worker answers only /health, /ready and /metrics; every public route is a 404.
 *   - ROLE=api serves the API but runs no job worker: a job it accepts stays queued.
 *   - A ROLE=worker app on the same store then runs that job; the API app reads it completed.
 *   - ROLE=all (the default) does both.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

const apps: TestApp[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

const open = async (env: Record<string, string>) => {
  const app = await makeTestApp({ JOB_LEASE_SECONDS: '1', ...env });
  apps.push(app);
  return app;
};

async function submit(t: TestApp) {
  const mp = await multipart({ model: 'whisper-1', file: audioFile(4), response_format: 'text' });
  return t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, prefer: 'respond-async' } });
}

const status = async (t: TestApp, id: string) => (await t.app.inject({ url: `/v1/audio/jobs/${id}` })).json().status as string;

async function until(cond: () => Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Transcriptions this app's pool ran, over every model. */
const ran = (t: TestApp) => t.pool.stats().reduce((n, s) => n + s.completed, 0);

const metricLine = (text: string, series: string) => text.split('\n').find((l) => l.startsWith(`${series} `));

describe('ROLE', () => {
  it('worker: only the probes and /metrics, every public route is a 404', async () => {
    const t = await open({ ROLE: 'worker' });
    expect((await t.app.inject({ url: '/health' })).statusCode).toBe(200);
    await t.pool.load('tiny.en');
    expect((await t.app.inject({ url: '/ready' })).statusCode).toBe(200);
    const metrics = await t.app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metricLine(metrics.body, 'whisper_jobs{status="queued"}')).toBeDefined();

    const mp = await multipart({ model: 'whisper-1', file: audioFile(4) });
    const publicRoutes = [
      { method: 'POST' as const, url: '/v1/audio/transcriptions', payload: mp.payload, headers: mp.headers },
      { method: 'POST' as const, url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, prefer: 'respond-async' } },
      { method: 'POST' as const, url: '/v1/audio/translations', payload: mp.payload, headers: mp.headers },
      { method: 'GET' as const, url: '/v1/models' },
      { method: 'GET' as const, url: '/v1/audio/jobs' },
      { method: 'GET' as const, url: '/v1/audio/jobs/job_0123456789abcdef01234567' },
      { method: 'GET' as const, url: '/v1/realtime' },
      { method: 'GET' as const, url: '/docs' },
      { method: 'GET' as const, url: '/openapi.json' },
    ];
    for (const r of publicRoutes) {
      const res = await t.app.inject(r);
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(404);
      expectOpenAIError(res.json());
    }
  });

  it('api: serves the API, runs no job worker; a worker on the same store runs the job', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'whisper-role-'));
    dirs.push(root);
    const DATA_DIR = path.join(root, 'data');
    const api = await open({ ROLE: 'api', DATA_DIR });
    // The synchronous API is there.
    const sync = await multipart({ model: 'whisper-1', file: audioFile(2), response_format: 'text' });
    expect((await api.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: sync.payload, headers: sync.headers })).statusCode).toBe(200);

    const res = await submit(api);
    expect(res.statusCode).toBe(202);
    const id = res.json().id as string;
    // Several poll periods and a lease later, nothing in this process has claimed it.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await status(api, id)).toBe('queued');
    expect(ran(api)).toBe(1);
    expect(metricLine((await api.app.inject({ url: '/metrics' })).body, 'whisper_jobs{status="queued"}')).toBe('whisper_jobs{status="queued"} 1');

    const worker = await open({ ROLE: 'worker', DATA_DIR });
    await until(async () => (await status(api, id)) === 'completed', 10_000);
    expect(ran(worker)).toBe(1);
    expect(ran(api)).toBe(1);
    const result = await api.app.inject({ url: `/v1/audio/jobs/${id}/result` });
    expect(result.statusCode).toBe(200);
    expect(result.body.length).toBeGreaterThan(0);
  });

  it('all (the default): accepts and runs the job in one process', async () => {
    const t = await open({});
    expect(t.config.ROLE).toBe('all');
    const res = await submit(t);
    expect(res.statusCode).toBe(202);
    const id = res.json().id as string;
    await until(async () => (await status(t, id)) === 'completed', 10_000);
    expect(ran(t)).toBe(1);
  });
});
