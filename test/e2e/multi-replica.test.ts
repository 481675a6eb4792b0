/**
 * Two replicas share Redis (BullMQ jobs) and moto's S3 server (inputs and results), as pods of
 * one Deployment would; each has its own DATA_DIR and temp dir, so nothing is shared on disk.
 * Real tiny.en, short clips.
 *   - A job running on B stops when the cancel is sent to A.
 *   - 40 jobs submitted alternately to A and B; A is killed with SIGKILL while it processes and is
 *     started again. Every job completes, once: one terminal event per job (every delivery of it has
 *     the same webhook-id and the same body), 40 distinct webhook-ids, every signature valid.
 *   - Any job's status and result read the same from either replica.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from '../support/moto.js';
import { deletePrefix, requireRedis, TEST_REDIS_URL, uniquePrefix } from '../support/redis.js';
import { audio, normalize, requireWeights, startServer, waitFor, type RunningServer } from './helpers/server.js';

interface Delivery {
  id: string;
  body: string;
  valid: boolean;
}

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
// Short clips (1.5-5.9 s) keep 40 jobs quick on 2 cores; each with words to check in the result.
const CLIPS = [
  { file: 'ljspeech_LJ002-0020.wav', words: '' },
  { file: 'sr_english.wav', words: '' },
  { file: 'ps_forever_input_2_16k.wav', words: 'go on forever' },
  { file: 'picovoice_test.wav', words: 'apostle of the middle classes' },
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
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function submit(server: RunningServer, file: string, webhookUrl: string): Promise<{ id: string }> {
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(audio(file))]), file);
  form.append('model', 'tiny.en');
  form.append('response_format', 'json');
  form.append('webhook_url', webhookUrl);
  const res = await fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body: form, headers: { Prefer: 'respond-async' } });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as { id: string };
}

const getJob = async (server: RunningServer, id: string) => {
  const res = await fetch(`${server.url}/v1/audio/jobs/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; status: string; attempts?: number; completed_at: number | null };
};

// NOT YET PROVEN: written before the jobs routes landed and never run against them; skipped
// visibly (it shows in the CI summary's skipped count) until a session runs and fixes it.
describe.skip('two replicas on shared Redis + S3 (moto)', () => {
  let moto: MotoServer;
  const hooks = receiver();
  let hookUrl = '';
  const prefix = uniquePrefix('replicas');
  let env: Record<string, string> = {};
  let a: RunningServer | undefined;
  let b: RunningServer | undefined;

  beforeAll(async () => {
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
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    for (const s of [a, b]) await s?.stop().catch(() => undefined);
    await hooks.close();
    await moto?.stop();
    await deletePrefix(prefix);
  });

  const fresh = async () => startServer({ ...env, DATA_DIR: fs.mkdtempSync('/tmp/replica-data-') });

  it('stops a job running on replica B when the cancel is sent to replica A', async () => {
    // Only B is up when the job is claimed, so B runs it; A joins afterwards and takes the cancel.
    b = await fresh();
    const long = await submit(b, 'lucier_i_am_sitting_in_a_room.wav', hookUrl);
    await waitFor(async () => (await getJob(b!, long.id)).status === 'processing', 60_000);
    a = await fresh();
    const t0 = Date.now();
    const res = await fetch(`${a.url}/v1/audio/jobs/${long.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    await waitFor(async () => (await getJob(b!, long.id)).status === 'cancelled', 15_000);
    const stopMs = Date.now() - t0;
    expect(await getJob(a, long.id)).toEqual(await getJob(b, long.id));
    // 100 s of audio would take far longer than this to finish on 2 cores.
    expect(stopMs).toBeLessThan(10_000);
    await waitFor(() => hooks.deliveries.some((d) => JSON.parse(d.body).data.id === long.id), 20_000);
    const event = hooks.deliveries.find((d) => JSON.parse(d.body).data.id === long.id)!;
    expect(JSON.parse(event.body).type).toBe('audio.job.cancelled');
  }, 180_000);

  it('completes 40 jobs exactly once across a kill -9 and restart of one replica, signed webhooks for all', async () => {
    const before = hooks.deliveries.length;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const target = i % 2 === 0 ? a! : b!;
      ids.push((await submit(target, CLIPS[i % CLIPS.length].file, hookUrl)).id);
    }
    // Kill A while it holds jobs: after the first completions, with a backlog left for both.
    await waitFor(async () => {
      const done = (await Promise.all(ids.map((id) => getJob(b!, id)))).filter((j) => j.status === 'completed').length;
      return done >= 4 && done <= 30;
    }, 120_000);
    a!.proc.kill('SIGKILL');
    await a!.exited;
    a = await fresh();

    await waitFor(async () => (await Promise.all(ids.map((id) => getJob(a!, id)))).every((j) => j.status === 'completed'), 240_000);
    await waitFor(() => new Set(hooks.deliveries.slice(before).map((d) => d.id)).size >= 40, 60_000);

    const jobs = await Promise.all(ids.map((id) => getJob(a!, id)));
    // A held jobs when it died: at least one ran again (attempts 2) and still completed once.
    expect(jobs.some((j) => (j.attempts ?? 1) >= 2)).toBe(true);
    for (const [i, id] of ids.entries()) {
      expect(await getJob(b!, id)).toEqual(jobs[i]);
      const [ra, rb] = await Promise.all([a!, b!].map((s) => fetch(`${s.url}/v1/audio/jobs/${id}/result`)));
      expect(ra.status).toBe(200);
      const text = await ra.text();
      expect(await rb.text()).toBe(text);
      const words = CLIPS[i % CLIPS.length].words;
      if (words) expect(normalize((JSON.parse(text) as { text: string }).text)).toContain(words);
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
  }, 420_000);
});
