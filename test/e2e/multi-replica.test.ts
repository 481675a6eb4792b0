/**
 * Replicas share Redis (BullMQ jobs, on a prefix of their own per run) and moto's S3 server
 * (inputs and results, started here on a free port), as pods of one Deployment would; each has
 * its own DATA_DIR and temp dir, so nothing is shared on disk. Real tiny.en, real ffmpeg.
 *   - A job submitted to an API-only replica (ROLE=api) runs on a worker replica (ROLE=worker);
 *     the cancel, sent to the API replica, stops it on the worker.
 *   - 40 jobs submitted alternately to A and B; A is killed with SIGKILL while it processes and is
 *     started again. Every job completes, once: one terminal event per job (every delivery of it has
 *     the same webhook-id and the same body), 40 distinct webhook-ids, every signature valid.
 *   - Any job's status and result read the same from either replica.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from '../support/moto.js';
import { createS3Client } from '../../src/storage/s3-client.js';
import { deletePrefix, requireRedis, TEST_REDIS_URL, uniquePrefix } from '../support/redis.js';
import { longSpeechFile } from '../support/long-speech.js';
import { audio, normalize, requireWeights, startServer, waitFor, type RunningServer } from './helpers/server.js';

interface Delivery {
  id: string;
  body: string;
  valid: boolean;
}

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
// Short clips (1.5-5.9 s) keep 40 jobs quick on 2 cores; each with words to check in the result.
const CLIPS = [
  { file: 'ljspeech_LJ002-0020.wav', words: /in (eighteen thirteen|1813)/ },
  { file: 'sr_english.wav', words: /(one|1) (two|2) (three|3)/ },
  { file: 'ps_forever_input_2_16k.wav', words: /go on forever/ },
  { file: 'picovoice_test.wav', words: /apostle of the middle classes/ },
];

function receiver() {
  const deliveries: Delivery[] = [];
  const wh = new Webhook(SECRET);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let valid = true;
      try {
        wh.verify(body, req.headers as Record<string, string>);
      } catch {
        valid = false;
      }
      deliveries.push({ id: String(req.headers['webhook-id']), body, valid });
      res.writeHead(204).end();
    });
  });
  return {
    deliveries,
    listen: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`))),
    close: () =>
      new Promise<void>((r) => {
        // The servers' webhook client keeps connections alive: drop them so close() returns.
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function submit(server: RunningServer, file: string, webhookUrl: string): Promise<{ id: string }> {
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(audio(file))]), path.basename(file));
  form.append('model', 'tiny.en');
  form.append('response_format', 'json');
  form.append('webhook_url', webhookUrl);
  const res = await fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body: form, headers: { Prefer: 'respond-async' } });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as { id: string };
}

interface JobView {
  id: string;
  status: string;
  attempts: number;
  completed_at: number | null;
}

const getJob = async (server: RunningServer, id: string): Promise<JobView> => {
  const res = await fetch(`${server.url}/v1/audio/jobs/${id}`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return (await res.json()) as JobView;
};
const getJobs = (server: RunningServer, ids: string[]) => Promise.all(ids.map((id) => getJob(server, id)));

/** SIGKILL and wait (bounded): nothing may outlive the suite. */
async function kill(server: RunningServer | undefined): Promise<void> {
  if (!server) return;
  await server.crash();
  await fs.promises.rm(server.tmpDir, { recursive: true, force: true });
}


/** Every key in the bucket (moto): proves inputs and results went to S3, not to a local disk. */
async function bucketKeys(endpoint: string, bucket: string): Promise<string[]> {
  const client = createS3Client({ S3_ENDPOINT: endpoint, S3_FORCE_PATH_STYLE: true });
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  } finally {
    client.destroy();
  }
}

describe('replicas on shared Redis + S3 (moto)', () => {
  let moto: MotoServer | undefined;
  const hooks = receiver();
  let hookUrl = '';
  const prefix = uniquePrefix('replicas');
  let env: Record<string, string> = {};
  const running = new Set<RunningServer>();
  const dataDirs: string[] = [];

  beforeAll(async () => {
    // Missing weights, Redis or moto_server fail the suite here: never a skip.
    requireWeights('tiny.en');
    await requireRedis();
    moto = await startMoto();
    await moto.createBucket('replicas');
    hookUrl = await hooks.listen();
    env = {
      ...moto.env,
      JOBS_BACKEND: 'redis',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      STORAGE: 's3',
      S3_BUCKET: 'replicas',
      S3_PREFIX: 'test/',
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '1',
      // The receiver is on loopback.
      ALLOW_PRIVATE_URLS: 'true',
      // A killed replica's jobs are taken over within a few seconds.
      JOB_LEASE_SECONDS: '2',
      POOL_CONCURRENCY: '2',
      THREADS_PER_REQUEST: '1',
      PRELOAD_MODELS: 'tiny.en',
      DEFAULT_MODEL: 'tiny.en',
      // A graceful stop in this file never waits on work for long.
      SHUTDOWN_GRACE_SECONDS: '5',
      UV_THREADPOOL_SIZE: '8',
      MALLOC_MMAP_THRESHOLD_: '1048576',
      LOG_LEVEL: 'info',
    };
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...running].map(kill));
    await hooks.close();
    await moto?.stop();
    await deletePrefix(prefix).catch(() => undefined);
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
  }, 60_000);

  const start = async (role: 'all' | 'api' | 'worker') => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replica-data-'));
    dataDirs.push(dir);
    const server = await startServer({ ...env, ROLE: role, DATA_DIR: dir }, 90_000);
    running.add(server);
    return server;
  };
  /** SIGTERM (a rolling update's stop), bounded; SIGKILL if it takes longer. */
  const retire = async (server: RunningServer) => {
    await Promise.race([server.stop(), new Promise((r) => setTimeout(r, 20_000))]);
    await kill(server);
    running.delete(server);
  };
  const inflight = async (server: RunningServer) => server.metric('whisper_inflight_requests', 'tiny.en');

  it('runs a job submitted to an API replica on a worker replica, and a cancel sent to the API replica stops it there', async () => {
    const api = await start('api');
    const worker = await start('worker');
    // The worker has no public routes: everything below is read from the API replica.
    expect((await fetch(`${worker.url}/v1/audio/jobs`)).status).toBe(404);

    // The 80 s clip four times over: still decoding when the cancel arrives.
    const long = await submit(api, longSpeechFile(), hookUrl);
    // Progress written by the worker is what the API replica reports.
    await waitFor(async () => {
      const j = (await getJob(api, long.id)) as JobView & { progress: number };
      return j.status === 'processing' && j.progress > 0;
    }, 120_000);
    expect(await inflight(worker)).toBe(1);
    // The API replica holds no slot: the compute is on the worker.
    expect(await inflight(api)).not.toBeGreaterThan(0);

    const t0 = Date.now();
    const res = await fetch(`${api.url}/v1/audio/jobs/${long.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    await waitFor(async () => (await getJob(api, long.id)).status === 'cancelled', 15_000);
    await waitFor(async () => (await inflight(worker)) === 0, 15_000);
    const stopMs = Date.now() - t0;
    console.info(`multi-replica: the cancel sent to the API replica stopped the worker's compute in ${stopMs} ms`);
    // The job ended cancelled, not completed: the cancel stopped the compute (320 s of audio was still decoding).
    expect(stopMs).toBeLessThan(10_000);
    expect((await getJob(api, long.id)).attempts).toBe(1);
    // The worker delivers the webhook (an API replica runs no delivery worker).
    await waitFor(() => hooks.deliveries.some((d) => JSON.parse(d.body).data.id === long.id), 20_000);
    const events = hooks.deliveries.filter((d) => JSON.parse(d.body).data.id === long.id);
    expect(events.every((d) => d.valid)).toBe(true);
    expect(new Set(events.map((d) => JSON.parse(d.body).type))).toEqual(new Set(['audio.job.cancelled']));
    await Promise.all([retire(api), retire(worker)]);
  }, 300_000);

  it('completes 40 jobs exactly once across a kill -9 and restart of one replica, signed webhooks for all', async () => {
    let a = await start('all');
    const b = await start('all');
    const before = hooks.deliveries.length;
    const t0 = Date.now();
    const ids: string[] = [];
    // Kill A while it holds a job, after the first completions, with a backlog left for both. Jobs of
    // short clips finish about as fast as they are uploaded, so the moment is looked for between
    // submissions, not after them (then nothing would be left to take over).
    let killedAt = 0;
    const killAHoldingAJob = async () => {
      const done = (await getJobs(b, ids)).filter((j) => j.status === 'completed').length;
      if (done < 2 || (await inflight(a)) < 1) return false;
      killedAt = Date.now();
      await a.crash();
      await kill(a);
      running.delete(a);
      a = await start('all');
      return true;
    };
    for (let i = 0; i < 40; i++) {
      const target = i % 2 === 0 ? a : b;
      ids.push((await submit(target, CLIPS[i % CLIPS.length].file, hookUrl)).id);
      if (!killedAt && i >= 4 && i <= 34) await killAHoldingAJob();
    }
    if (!killedAt) {
      let seen = '';
      await waitFor(async () => {
        seen = `statuses ${(await getJobs(b, ids)).map((j) => j.status).join(',')}`;
        return killAHoldingAJob();
      }, 180_000, () => seen);
    }

    await waitFor(async () => (await getJobs(a, ids)).every((j) => j.status === 'completed'), 420_000, () => b.logs.slice(-20).join(''));
    await waitFor(() => new Set(hooks.deliveries.slice(before).map((d) => d.id)).size >= 40, 60_000);

    const jobs = await getJobs(a, ids);
    const reran = jobs.filter((j) => j.attempts >= 2).length;
    console.info(
      `multi-replica: 40 jobs in ${((Date.now() - t0) / 1000).toFixed(1)} s (A killed at ${((killedAt - t0) / 1000).toFixed(1)} s); ` +
        `${reran} ran twice; ${hooks.deliveries.length - before} deliveries for 40 webhook-ids`,
    );
    // A held a job when it died: that job ran again (attempts 2) and still completed once.
    expect(jobs.some((j) => j.attempts >= 2)).toBe(true);
    const keys = new Set(await bucketKeys(moto!.endpoint, 'replicas'));
    for (const [i, id] of ids.entries()) {
      // The same status from either replica.
      expect(await getJob(b, id)).toEqual(jobs[i]);
      const [ra, rb] = await Promise.all([a, b].map((s) => fetch(`${s.url}/v1/audio/jobs/${id}/result`)));
      expect(ra.status).toBe(200);
      const text = await ra.text();
      expect(await rb.text()).toBe(text);
      expect(normalize((JSON.parse(text) as { text: string }).text)).toMatch(CLIPS[i % CLIPS.length].words);
      // Input and result live in the shared bucket, under S3_PREFIX.
      expect(keys.has(`test/jobs/${id}/result`), `${id} result in S3`).toBe(true);
    }

    const mine = hooks.deliveries.slice(before);
    expect(mine.every((d) => d.valid)).toBe(true);
    const byJob = new Map<string, Delivery[]>();
    for (const d of mine) {
      const jobId = (JSON.parse(d.body) as { data: { id: string } }).data.id;
      byJob.set(jobId, [...(byJob.get(jobId) ?? []), d]);
    }
    expect([...byJob.keys()].sort()).toEqual([...ids].sort());
    expect(new Set(mine.map((d) => d.id)).size).toBe(40);
    for (const [, list] of byJob) {
      // Retries (at least once) repeat the same event: one id, one body, type completed.
      expect(new Set(list.map((d) => d.id)).size).toBe(1);
      expect(new Set(list.map((d) => d.body)).size).toBe(1);
      expect(JSON.parse(list[0].body).type).toBe('audio.job.completed');
    }
    // Nothing left in either replica's spool once every job is done.
    expect(await a.leftovers()).toEqual([]);
    expect(await b.leftovers()).toEqual([]);
  }, 600_000);
});
