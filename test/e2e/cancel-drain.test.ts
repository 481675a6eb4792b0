/**
 * Process-level behaviour with the real engine: a client disconnect aborts the native compute
 * and frees the slot; SIGTERM drains (in-flight work completes, new work is refused, exit 0).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { longSpeechFile } from '../support/long-speech.js';
import { audio, requireWeights, startServer, waitFor, type RunningServer } from './helpers/server.js';

// The 80 s clip four times over (320 s): still decoding a second after it starts.
const longClip = () => new Blob([fs.readFileSync(longSpeechFile())], { type: 'audio/wav' });
const form = (file: Blob, model = 'tiny.en') => {
  const fd = new FormData();
  fd.append('file', file, 'long.wav');
  fd.append('model', model);
  return fd;
};

let server: RunningServer;
beforeAll(async () => {
  requireWeights('tiny.en');
  // No UV_THREADPOOL_SIZE: main.ts relaunches itself with it set, so SIGTERM below also goes
  // through that supervisor.
  server = await startServer({ POOL_CONCURRENCY: '1', UV_THREADPOOL_SIZE: undefined });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

test('without UV_THREADPOOL_SIZE the server runs with POOL_CONCURRENCY × 2 + 4 threads', () => {
  expect(server.logs.join('')).toMatch(/"uvThreadpoolSize":6\b/);
});

test('disconnecting during a long file aborts the compute and frees the slot within a bound', async () => {
  const ac = new AbortController();
  const pending = fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body: form(longClip()), signal: ac.signal }).catch(
    (e) => e,
  );
  await waitFor(async () => (await server.metric('whisper_inflight_requests', 'tiny.en')) === 1, 30_000);
  await new Promise((r) => setTimeout(r, 1000)); // well inside the file's decoding
  const t0 = Date.now();
  ac.abort();
  await pending;
  await waitFor(async () => (await server.metric('whisper_inflight_requests', 'tiny.en')) === 0, 10_000);
  const freedMs = Date.now() - t0;
  console.log(`slot freed ${freedMs} ms after the disconnect`);
  // The issue asks for "a few hundred ms". The patched engine polls the abort flag between ggml
  // graph nodes, so this is ~100 ms even on a busy 2-core machine (metrics polling included);
  // the bound leaves room for a loaded CI runner.
  expect(freedMs).toBeLessThan(1000);
  expect(await server.metric('whisper_jobs_aborted_total', 'tiny.en')).toBe(1);
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  await waitFor(async () => (await server.leftovers()).length === 0, 2000);
}, 60_000);

test('SIGTERM drains: /ready 503, new work 503, the running request completes, exit code 0', async () => {
  const jfk = new Blob([fs.readFileSync(audio('jfk.wav'))], { type: 'audio/wav' });
  // The long file in flight, not jfk.wav: jfk takes about 0.3 s now, and a request that ended before the
  // SIGTERM would leave nothing to drain (the server would exit before the checks below could reach it).
  const inFlight = fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body: form(longClip()) });
  await waitFor(async () => (await server.metric('whisper_inflight_requests', 'tiny.en')) === 1, 30_000);
  server.proc.kill('SIGTERM');
  await waitFor(async () => (await fetch(`${server.url}/ready`)).status === 503, 2000);
  const refused = await fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body: form(jfk) });
  expect(refused.status).toBe(503);
  expect((await refused.json()).error.code).toBe('server_shutting_down');
  expect((await fetch(`${server.url}/health`)).status).toBe(200);

  const res = await inFlight;
  expect(res.status).toBe(200);
  expect((await res.json()).text).toMatch(/ask not what your country/i);
  expect(await server.exited).toBe(0);
  expect(server.logs.join('')).toMatch(/"msg":"bye"/);
}, 60_000);
