/**
 * The async jobs API over app.inject with the fake pool and decoder, and the real SQLite store
 * and fs BlobStore under a temp DATA_DIR: submit (file, Idempotency-Key), poll, result bytes
 * identical to the synchronous call, list pages, cancel of running compute, delete, and the
 * bad-input corpus. Webhooks go to a local receiver (ALLOW_PRIVATE_URLS=true) that verifies
 * Standard Webhooks signatures with the `standardwebhooks` package, as a receiver would.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD_SECRET = 'whsec_' + Buffer.from('an older secret, still accepted').toString('base64');
const ASYNC = { prefer: 'respond-async' };
let t: TestApp;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await t?.close();
});

const open = (env: Record<string, string> = {}) =>
  makeTestApp({ JOB_LEASE_SECONDS: '1', WEBHOOK_SECRET: `${SECRET},${OLD_SECRET}`, ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.2,0.4', ...env });

async function submit(fields: Record<string, unknown>, headers: Record<string, string> = {}, url = '/v1/audio/transcriptions') {
  const mp = await multipart({ model: 'whisper-1', file: audioFile(4), ...(fields as object) } as never);
  return t.app.inject({ method: 'POST', url, payload: mp.payload, headers: { ...mp.headers, ...ASYNC, ...headers } });
}

async function until(id: string, pred: (j: Record<string, unknown>) => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const j = (await t.app.inject({ url: `/v1/audio/jobs/${id}` })).json();
    if (pred(j)) return j;
    if (Date.now() > end) throw new Error(`job ${id} stuck: ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const terminal = (id: string) => until(id, (j) => ['completed', 'failed', 'cancelled'].includes(j.status as string));

interface Received { headers: http.IncomingHttpHeaders; body: string; at: number }
async function receiver(statuses: number[] = [], extraHeaders: Record<string, string> = {}) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body, at: Date.now() });
      const status = statuses.shift() ?? 200;
      res.writeHead(status, status === 200 ? {} : extraHeaders).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

describe('async jobs API', () => {
  it('accepts a job (202, Location, Preference-Applied) and serves the sync bytes as its result', async () => {
    t = await open();
    for (const format of ['json', 'verbose_json', 'text', 'srt', 'vtt'] as const) {
      const extra = format === 'verbose_json' ? { 'timestamp_granularities[]': ['word', 'segment'] } : {};
      const res = await submit({ response_format: format, ...extra, 'metadata[user]': 'u1' });
      expect(res.statusCode).toBe(202);
      const job = res.json();
      expect(res.headers.location).toBe(`/v1/audio/jobs/${job.id}`);
      expect(res.headers['preference-applied']).toBe('respond-async');
      expect(job).toMatchObject({ object: 'audio.job', status: 'queued', model: 'whisper-1', task: 'transcribe', response_format: format, progress: 0, metadata: { user: 'u1' }, error: null });
      const done = await terminal(job.id);
      expect(done).toMatchObject({ status: 'completed', progress: 1, audio_seconds: 4 });
      expect(done.started_at).not.toBeNull();
      const result = await t.app.inject({ url: `/v1/audio/jobs/${job.id}/result` });
      const mp = await multipart({ model: 'whisper-1', file: audioFile(4), response_format: format, ...extra } as never);
      const sync = await t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', ...mp });
      expect(sync.statusCode).toBe(200);
      expect(result.statusCode).toBe(200);
      expect(result.headers['content-type']).toBe(sync.headers['content-type']);
      expect(result.body).toBe(sync.body);
    }
    // The job ran at batch priority through the same pool.
    expect(t.pool.params.length).toBe(10);
  });

  it('translates asynchronously too', async () => {
    t = await open();
    const res = await submit({ model: 'base' }, {}, '/v1/audio/translations');
    expect(res.statusCode).toBe(202);
    const done = await terminal(res.json().id);
    expect(done).toMatchObject({ status: 'completed', task: 'translate' });
    expect((await t.app.inject({ url: `/v1/audio/jobs/${done.id}/result` })).json().text).toContain('(en)');
  });

  it('returns the same job for a retried submit with the same Idempotency-Key', async () => {
    t = await open();
    const a = await submit({}, { 'idempotency-key': 'retry-me-1' });
    const b = await submit({}, { 'idempotency-key': 'retry-me-1' });
    expect(b.statusCode).toBe(202);
    expect(b.json().id).toBe(a.json().id);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect((await t.app.inject({ url: '/v1/audio/jobs?limit=100' })).json().data).toHaveLength(1);
  });

  it('lists newest first with after/limit pagination and a status filter', async () => {
    t = await open();
    t.pool.script.segmentDelayMs = 0;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submit({})).json().id);
    for (const id of ids) await terminal(id);
    const p1 = (await t.app.inject({ url: '/v1/audio/jobs?limit=2' })).json();
    expect(p1).toMatchObject({ object: 'list', has_more: true, first_id: ids[4], last_id: ids[3] });
    const p2 = (await t.app.inject({ url: `/v1/audio/jobs?limit=10&after=${p1.last_id}` })).json();
    expect(p2.data.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(p2.has_more).toBe(false);
    expect((await t.app.inject({ url: '/v1/audio/jobs?status=completed' })).json().data).toHaveLength(5);
    expect((await t.app.inject({ url: '/v1/audio/jobs?status=queued' })).json().data).toHaveLength(0);
  });

  it('cancels running compute, then deletes the job with its input and result', async () => {
    t = await open();
    t.pool.script.segmentDelayMs = 2000;
    const id = (await submit({})).json().id;
    await until(id, (j) => j.status === 'processing');
    const res = await t.app.inject({ method: 'POST', url: `/v1/audio/jobs/${id}/cancel` });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    // The fake model's abort is the pool's signal: it fired.
    const again = await t.app.inject({ method: 'POST', url: `/v1/audio/jobs/${id}/cancel` });
    expect(again.json().status).toBe('cancelled');
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/audio/jobs/${id}` });
    expect(del.json()).toEqual({ id, object: 'audio.job.deleted', deleted: true });
    expect((await t.app.inject({ url: `/v1/audio/jobs/${id}` })).statusCode).toBe(404);
    const blobs = path.join(t.config.DATA_DIR, 'blobs', 'jobs');
    expect(await fs.readdir(blobs).catch(() => [])).toEqual([]);
    expect(await t.leftovers()).toEqual([]);
  });

  it('fails a job with bad audio at once, with the sync error body', async () => {
    t = await open();
    const mp = await multipart({ model: 'whisper-1', file: { data: 'not audio', filename: 'x.wav' } });
    const res = await t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, ...ASYNC } });
    const done = await terminal(res.json().id);
    expect(done.status).toBe('failed');
    expect(done.attempts).toBe(1);
    expectOpenAIError({ error: done.error });
    expect((done.error as { param: string }).param).toBe('file');
    const r = await t.app.inject({ url: `/v1/audio/jobs/${done.id}/result` });
    expect(r.statusCode).toBe(409);
    expectOpenAIError(r.json());
  });

  it('answers every bad input with an OpenAI-shaped 4xx and keeps nothing', async () => {
    t = await open();
    const cases: [string, () => Promise<{ statusCode: number; json(): unknown }>, number, string | null][] = [
      ['missing file', async () => {
        const mp = await multipart({ model: 'whisper-1' });
        return t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, ...ASYNC } });
      }, 400, 'file'],
      ['file and audio_url', () => submit({ audio_url: 'https://example.com/a.wav' }), 400, 'audio_url'],
      ['audio_url to loopback', async () => {
        const mp = await multipart({ model: 'whisper-1', audio_url: 'http://169.254.169.254/latest' });
        return t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, ...ASYNC } });
      }, 400, 'audio_url'],
      ['audio_url file:', async () => {
        const mp = await multipart({ model: 'whisper-1', audio_url: 'file:///etc/passwd' });
        return t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, ...ASYNC } });
      }, 400, 'audio_url'],
      ['webhook_url ftp:', () => submit({ webhook_url: 'ftp://example.com/' }), 400, 'webhook_url'],
      ['webhook_url metadata address', () => submit({ webhook_url: 'http://169.254.169.254/' }), 400, 'webhook_url'],
      ['malformed Idempotency-Key', () => submit({}, { 'idempotency-key': 'has spaces in it' }), 400, 'Idempotency-Key'],
      ['stream=true', () => submit({ stream: 'true' }), 400, 'stream'],
      ['too many metadata keys', () => submit(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`metadata[k${i}]`, 'v']))), 400, 'metadata'],
      ['unknown model', () => submit({ model: 'nope' }), 404, 'model'],
      ['unknown job', () => t.app.inject({ url: '/v1/audio/jobs/job_01HZZZZZZZZZZZZZZZZZZZZZZZ' }), 404, 'job_id'],
      ['malformed job id', () => t.app.inject({ url: '/v1/audio/jobs/../../etc' }), 404, null],
      ['bad job id shape', () => t.app.inject({ url: '/v1/audio/jobs/1234' }), 400, null],
      ['bad list limit', () => t.app.inject({ url: '/v1/audio/jobs?limit=1000' }), 400, null],
      ['bad status filter', () => t.app.inject({ url: '/v1/audio/jobs?status=done' }), 400, null],
    ];
    for (const [name, run, status, param] of cases) {
      const res = await run();
      expect(res.statusCode, name).toBe(status);
      const e = expectOpenAIError(res.json());
      if (param) expect(e.param, name).toBe(param);
    }
    // Nothing was queued by any of them, nothing left on disk.
    expect((await t.app.inject({ url: '/v1/audio/jobs' })).json().data).toEqual([]);
    expect(await t.leftovers()).toEqual([]);
  });

  it('refuses webhook_url when no WEBHOOK_SECRET is configured, and cancel after completion', async () => {
    t = await makeTestApp({ ALLOW_PRIVATE_URLS: 'true' });
    const res = await submit({ webhook_url: 'https://example.com/hook' });
    expect(res.statusCode).toBe(400);
    expect(expectOpenAIError(res.json()).code).toBe('webhooks_not_configured');
    const id = (await submit({})).json().id;
    await terminal(id);
    const c = await t.app.inject({ method: 'POST', url: `/v1/audio/jobs/${id}/cancel` });
    expect(c.statusCode).toBe(409);
    expect(expectOpenAIError(c.json()).code).toBe('job_not_cancellable');
  });
});

describe('webhooks', () => {
  it('POSTs a signed audio.job.completed event that verifies with either secret', async () => {
    t = await open();
    const rx = await receiver();
    const id = (await submit({ webhook_url: rx.url, 'metadata[order]': '42' })).json().id;
    const job = await until(id, (j) => (j.webhook as { status?: string } | null)?.status === 'delivered');
    expect(rx.got).toHaveLength(1);
    const { headers, body } = rx.got[0]!;
    for (const secret of [SECRET, OLD_SECRET]) {
      const payload = new Webhook(secret).verify(body, headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
      expect(payload.type).toBe('audio.job.completed');
      expect(payload.data).toMatchObject({ id, status: 'completed', metadata: { order: '42' } });
    }
    expect(() => new Webhook('whsec_' + Buffer.from('wrong').toString('base64')).verify(body, headers as Record<string, string>)).toThrow();
    expect(headers['webhook-id']).toBe((job.webhook as { id: string }).id);
    expect(String(headers['webhook-signature']).split(' ')).toHaveLength(2);
  });

  it('retries a receiver that is down on schedule with the same webhook-id, honouring Retry-After, and shows the history', async () => {
    t = await open({ WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.2,0.4,0.4' });
    const rx = await receiver([500, 429, 503], { 'retry-after': '1' });
    const id = (await submit({ webhook_url: rx.url })).json().id;
    const job = await until(id, (j) => (j.webhook as { status?: string } | null)?.status === 'delivered', 15_000);
    expect(rx.got).toHaveLength(4);
    expect(new Set(rx.got.map((g) => g.headers['webhook-id'])).size).toBe(1);
    const gaps = rx.got.slice(1).map((g, i) => g.at - rx.got[i]!.at);
    // Retry-After: 1 beats the 0.2/0.4 s schedule each time.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
    const hook = job.webhook as { attempts: { status_code: number; error: string | null }[] };
    expect(hook.attempts.map((a) => a.status_code)).toEqual([500, 429, 503, 200]);
    expect(hook.attempts.at(-1)!.error).toBeNull();
    for (const g of rx.got) new Webhook(SECRET).verify(g.body, g.headers as Record<string, string>);
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/whisper_webhook_attempt_failures_total\{reason="5xx"\} 2/);
    expect(metrics).toMatch(/whisper_webhook_attempt_failures_total\{reason="4xx"\} 1/);
    expect(metrics).toMatch(/whisper_jobs\{status="completed"\} 1/);
  });

  it('stops at once on 410 Gone and on other 4xx', async () => {
    t = await open();
    const gone = await receiver([410]);
    const bad = await receiver([400]);
    const a = (await submit({ webhook_url: gone.url })).json().id;
    const b = (await submit({ webhook_url: bad.url })).json().id;
    for (const id of [a, b]) {
      const j = await until(id, (x) => (x.webhook as { status?: string } | null)?.status === 'failed');
      expect((j.webhook as { attempts: unknown[] }).attempts).toHaveLength(1);
    }
    await new Promise((r) => setTimeout(r, 700));
    expect(gone.got).toHaveLength(1);
    expect(bad.got).toHaveLength(1);
  });

  it('sends audio.job.cancelled for a cancelled job', async () => {
    t = await open();
    t.pool.script.segmentDelayMs = 2000;
    const rx = await receiver();
    const id = (await submit({ webhook_url: rx.url })).json().id;
    await t.app.inject({ method: 'POST', url: `/v1/audio/jobs/${id}/cancel` });
    await until(id, (j) => (j.webhook as { status?: string } | null)?.status === 'delivered');
    expect(JSON.parse(rx.got[0]!.body).type).toBe('audio.job.cancelled');
  });
});
