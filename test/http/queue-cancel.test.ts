/** Back-pressure and cancellation against a listening server (disconnects need a real socket). */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await makeTestApp({}, { concurrency: 1, maxQueue: 1, avgJobSeconds: 7 });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => t.close());

const post = async (signal?: AbortSignal) => {
  const { payload, headers } = await multipart({ file: audioFile(), model: 'tiny.en' });
  return fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', body: payload, headers, signal });
};
const stats = () => t.pool.stats().find((s) => s.model === 'tiny.en')!;
const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 2000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('queue full: 429 rate_limit_error with a Retry-After from the queue', async () => {
  t.pool.script = { segmentDelayMs: 300 };
  const running = post();
  await waitFor(() => stats()?.inFlight === 1);
  const queued = post();
  await waitFor(() => stats().queued === 1);
  const rejected = await post();
  expect(rejected.status).toBe(429);
  expect(expectOpenAIError(await rejected.json())).toMatchObject({ type: 'rate_limit_error', code: 'queue_full' });
  expect(Number(rejected.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect((await running).status).toBe(200);
  expect((await queued).status).toBe(200);
  expect(await t.leftovers()).toEqual([]);
});

test('a client disconnect aborts the running job and frees the slot at once', async () => {
  t.pool.script = { segmentDelayMs: 5000 };
  const ac = new AbortController();
  const pending = post(ac.signal).catch((e) => e);
  await waitFor(() => stats().inFlight === 1);
  const t0 = Date.now();
  ac.abort();
  await pending;
  await waitFor(() => stats().inFlight === 0, 1000);
  expect(Date.now() - t0).toBeLessThan(500);
  await waitFor(async () => (await t.leftovers()).length === 0);
  const health = await fetch(`${base}/health`);
  expect(health.status).toBe(200);
  t.pool.script = {};
});

test('a client that gives up while queued leaves the queue', async () => {
  t.pool.script = { segmentDelayMs: 400 };
  const running = post();
  await waitFor(() => stats().inFlight === 1);
  const ac = new AbortController();
  const queued = post(ac.signal).catch((e) => e);
  await waitFor(() => stats().queued === 1);
  ac.abort();
  await queued;
  await waitFor(() => stats().queued === 0, 1000);
  expect((await running).status).toBe(200);
});

test('a client that drops a stream mid-way aborts the job; late segments are not written anywhere', async () => {
  t.pool.script = { texts: [' one', ' two', ' three', ' four'], segmentDelayMs: 300 };
  const { payload, headers } = await multipart({ file: audioFile(), model: 'tiny.en', stream: 'true' });
  const ac = new AbortController();
  const res = await fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', body: payload, headers, signal: ac.signal });
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  expect(first).toContain('transcript.text.delta');
  ac.abort();
  await waitFor(() => stats().inFlight === 0, 1000);
  expect(stats().aborted + stats().completed).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 400));
  expect((await fetch(`${base}/health`)).status).toBe(200);
  t.pool.script = {};
});
