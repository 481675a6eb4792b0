/**
 * Durability with the real model: `kill -9` the server while a job is being transcribed, with six
 * more behind it (mixed sizes and formats, five with webhooks, one cancelled before the crash),
 * start it again on the same DATA_DIR, and check that the running job runs again once its lease
 * has expired, and that every job ends exactly once in its right state. Each webhook reaches a
 * local receiver exactly once, with a Standard Webhooks signature that the `standardwebhooks`
 * package verifies, as a receiver would; no temp file or orphan blob is left in DATA_DIR.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { longSpeechFile } from '../support/long-speech.js';
import { audio, normalize, requireWeights, startServer, waitFor, type RunningServer } from './helpers/server.js';

const SECRET = `whsec_${Buffer.from('kill -9 test secret, 32 bytes!!').toString('base64')}`;
const LEASE_SECONDS = 6;
interface Delivery { id: string; body: { type: string; data: { id: string; status: string; attempts: number } }; verified: boolean }
const deliveries: Delivery[] = [];
let receiver: http.Server;
let hookUrl: string;
let dataDir: string;
const servers: RunningServer[] = [];

beforeAll(async () => {
  requireWeights('tiny.en');
  dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'whisper-kill9-data-'));
  const wh = new Webhook(SECRET);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      let verified = false;
      try {
        wh.verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        /* recorded as unverified */
      }
      deliveries.push({ id: String(req.headers['webhook-id']), body: JSON.parse(body), verified });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
}, 30_000);
afterAll(async () => {
  for (const s of servers) if (s.proc.exitCode === null && s.proc.signalCode === null) await s.stop();
  await new Promise((r) => receiver.close(r));
  await fsp.rm(dataDir, { recursive: true, force: true });
});

const env = () => ({
  DATA_DIR: dataDir,
  PRELOAD_MODELS: 'tiny.en',
  POOL_CONCURRENCY: '1',
  JOB_CONCURRENCY: '1',
  JOB_LEASE_SECONDS: String(LEASE_SECONDS),
  WEBHOOK_SECRET: SECRET,
  WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.5',
  // Tests only: the receiver and nothing else lives on loopback.
  ALLOW_PRIVATE_URLS: 'true',
  // The 80 s job must still be running when the first server is killed: Engine 3 reads it in about
  // 1.6 s on 2 threads, so here it runs one chunk at a time on one thread, at beam 5 (several seconds).
  THREADS_PER_REQUEST: '1',
  LONG_FORM_WORKERS: '1',
  LONG_FORM_BEAM_SIZE: '5',
  // Set, so main.ts runs the server itself (no relaunch supervisor): SIGKILL hits the process doing the work.
  UV_THREADPOOL_SIZE: '8',
  MALLOC_MMAP_THRESHOLD_: '1048576',
});

async function submit(base: string, file: string, extra: Record<string, string> = {}) {
  const fd = new FormData();
  fd.append('file', new Blob([fs.readFileSync(audio(file))]), path.basename(file));
  fd.append('model', 'tiny.en');
  for (const [k, v] of Object.entries({ response_format: 'text', ...extra })) fd.append(k, v);
  const res = await fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', body: fd, headers: { prefer: 'respond-async' } });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}
const getJob = async (base: string, id: string) => (await (await fetch(`${base}/v1/audio/jobs/${id}`)).json()) as Record<string, any>;

test('kill -9 mid-transcription: the job runs again after its lease expires and ends once; every webhook arrives once, signed', async () => {
  const a = await startServer(env());
  servers.push(a);
  // The 80 s clip four times over: still decoding when the server is killed.
  const long = await submit(a.url, longSpeechFile(), { webhook_url: hookUrl, 'metadata[n]': 'long' });
  const queued = await submit(a.url, 'jfk.wav', { webhook_url: hookUrl });
  const cancelled = await submit(a.url, 'jfk.wav', { webhook_url: hookUrl });
  // A mixed backlog behind them: other sizes and formats, some without a webhook.
  const backlog = [
    await submit(a.url, 'ljspeech_LJ002-0020.wav', { webhook_url: hookUrl }),
    await submit(a.url, 'jfk.mp3'),
    await submit(a.url, 'sr_english.wav', { webhook_url: hookUrl, response_format: 'srt' }),
    await submit(a.url, 'librispeech_1272-141231-0002.flac'),
  ];
  await waitFor(async () => (await getJob(a.url, long)).status === 'processing', 30_000);
  expect((await fetch(`${a.url}/v1/audio/jobs/${cancelled}/cancel`, { method: 'POST' })).status).toBe(200);
  // Some compute under way (progress reported from the segment callback), then the crash.
  await waitFor(async () => (await getJob(a.url, long)).progress > 0, 30_000);
  const before = await getJob(a.url, long);
  expect(before, 'still running when the server is killed').toMatchObject({ status: 'processing' });
  expect(before.progress).toBeLessThan(1);
  await a.crash();
  const killedAt = Date.now();
  expect(deliveries.filter((d) => d.body.data.id === long)).toEqual([]);

  const b = await startServer(env());
  servers.push(b);
  const afterRestart = await getJob(b.url, long);
  if (Date.now() - killedAt < LEASE_SECONDS * 1000 - 500) {
    // The dead worker's lease still holds: nobody may have taken the job over yet.
    expect(afterRestart).toMatchObject({ status: 'processing', attempts: 1 });
  }
  // The second claim cannot come before the lease runs out: at least lease − one heartbeat (lease/3) after the kill.
  let reclaimedAt = 0;
  await waitFor(async () => {
    const j = await getJob(b.url, long);
    if (j.attempts >= 2 && !reclaimedAt) reclaimedAt = Date.now();
    if (j.status !== 'completed') return false;
    for (const id of [queued, ...backlog]) if ((await getJob(b.url, id)).status !== 'completed') return false;
    return true;
  }, 180_000, () => b.logs.join('').slice(-3000));
  expect(reclaimedAt - killedAt).toBeGreaterThanOrEqual((LEASE_SECONDS * 2000) / 3 - 250);
  const done = await getJob(b.url, long);
  expect(done).toMatchObject({ status: 'completed', attempts: 2, progress: 1, metadata: { n: 'long' } });
  expect(await getJob(b.url, queued)).toMatchObject({ status: 'completed', attempts: 1 });
  expect(await getJob(b.url, cancelled)).toMatchObject({ status: 'cancelled', attempts: 0 });
  for (const id of backlog) expect((await getJob(b.url, id)).attempts).toBe(1);
  const text = await (await fetch(`${b.url}/v1/audio/jobs/${long}/result`)).text();
  expect(normalize(text).split(' ').length).toBeGreaterThan(100);

  // Let any duplicate or retry arrive, then count.
  await waitFor(() => deliveries.length >= 5, 20_000);
  await new Promise((r) => setTimeout(r, 2500));
  const byJob = (id: string) => deliveries.filter((d) => d.body.data.id === id);
  const expected = [[long, 'audio.job.completed'], [queued, 'audio.job.completed'], [cancelled, 'audio.job.cancelled'], [backlog[0]!, 'audio.job.completed'], [backlog[2]!, 'audio.job.completed']] as const;
  for (const [id, type] of expected) {
    const got = byJob(id);
    expect(got, `${id}: ${JSON.stringify(got)}`).toHaveLength(1);
    expect(got[0]).toMatchObject({ id: `msg_${id.replace(/^job_/, '')}`, verified: true, body: { type } });
  }
  expect(deliveries).toHaveLength(expected.length);
  expect(new Set(deliveries.map((d) => d.id)).size).toBe(expected.length);
  expect(await (await fetch(`${b.url}/v1/audio/jobs/${backlog[2]}/result`)).text()).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> /);
  const history = await getJob(b.url, long);
  expect(history.webhook).toMatchObject({ status: 'delivered', attempts: [{ status_code: 204, error: null }] });
  expect(await b.metric('whisper_jobs{status="completed"}')).toBe(2 + backlog.length);
  expect(await b.leftovers()).toEqual([]);
  // No temp file of the killed process's writes is left in DATA_DIR, and no blob without a job.
  const files = (fs.readdirSync(path.join(dataDir, 'blobs'), { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dataDir, 'blobs', f)).isFile());
  expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  const ids = new Set([long, queued, cancelled, ...backlog]);
  expect(files.map((f) => f.split(path.sep)[1]).filter((id) => !ids.has(id!))).toEqual([]);
  await b.stop();
  await fsp.rm(a.tmpDir, { recursive: true, force: true });
}, 300_000);
