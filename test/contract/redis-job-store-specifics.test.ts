/** What the Redis store does beyond the shared contract: cancel by pub/sub, and crash-gap repair. */
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { JOBS_QUEUE, redisKeys } from '../../src/jobs/redis/keys.js';
import { openRedisJobStore, type RedisJobStore } from '../../src/jobs/redis/store.js';
import type { JobRecord, RunningWorker } from '../../src/jobs/types.js';
import { deletePrefix, requireRedis, TEST_REDIS_URL, uniquePrefix } from '../support/redis.js';
import { CONTRACT_OPTIONS, newJob, OWNER, waitFor } from './job-store.contract.js';

describe('Redis JobStore specifics', () => {
  const stores: RedisJobStore[] = [];
  const workers: RunningWorker[] = [];
  let prefix = '';
  const open = async (leaseMs: number) => {
    await requireRedis();
    prefix ||= uniquePrefix('jobs-x');
    const s = await openRedisJobStore({ ...CONTRACT_OPTIONS, leaseMs, url: TEST_REDIS_URL, prefix });
    stores.push(s);
    return s;
  };
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.close();
    for (const s of stores.splice(0)) await s.close();
    await deletePrefix(prefix);
    prefix = '';
  });
  const ok = (j: JobRecord) => ({ result: { key: `jobs/${j.id}/result`, content_type: 'application/json', bytes: 1 }, audio_seconds: 1 });

  it('a cancel sent to one instance reaches the job running on another by pub/sub, long before the cancel poll', async () => {
    // 20 s lease: the fallback poll runs every 10 s, so a sub-second stop can only come from the channel.
    const runner = await open(20_000);
    const api = await open(20_000);
    const { job } = await api.jobs.create(newJob());
    let abortedAt = 0;
    workers.push(runner.queue.startWorker((_j, ctx) => new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => {
      abortedAt = Date.now();
      reject(new Error('stopped'));
    })), { concurrency: 1 }));
    await waitFor(async () => (await api.jobs.get(job.id))?.status === 'processing');
    const t0 = Date.now();
    await api.queue.cancel(job.id);
    const done = await waitFor(async () => {
      const j = await api.jobs.get(job.id);
      return j?.status === 'cancelled' ? j : undefined;
    }, 5000);
    expect(done.status).toBe('cancelled');
    expect(abortedAt - t0).toBeLessThan(1000);
  });

  it('re-enqueues at worker start a queued record whose BullMQ job is missing (crash inside create)', async () => {
    const a = await open(1000);
    const { job } = await a.jobs.create(newJob());
    // As if the process died between writing the record and adding the BullMQ job.
    await (a.queue as unknown as { dequeue(id: string): Promise<void> }).dequeue(job.id);
    const b = await open(1000);
    workers.push(b.queue.startWorker(async (j) => ok(j), { concurrency: 1 }));
    const done = await waitFor(async () => {
      const j = await a.jobs.get(job.id);
      return j?.status === 'completed' ? j : undefined;
    }, 5000);
    expect(done.attempts).toBe(1);
  });

  it('reads the same record, progress included, from every instance', async () => {
    const a = await open(1000);
    const b = await open(1000);
    const { job } = await a.jobs.create(newJob());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    workers.push(a.queue.startWorker(async (j, ctx) => {
      await ctx.reportProgress({ progress: 0.25 });
      await gate;
      return ok(j);
    }, { concurrency: 1 }));
    const seenOnB = await waitFor(async () => {
      const j = await b.jobs.get(job.id);
      return j?.progress === 0.25 ? j : undefined;
    });
    expect(seenOnB).toEqual(await a.jobs.get(job.id));
    release();
    await waitFor(async () => (await b.jobs.get(job.id))?.status === 'completed');
    expect(await b.jobs.list({ owner: OWNER, limit: 10 })).toEqual(await a.jobs.list({ owner: OWNER, limit: 10 }));
  });

  it("fills the BullMQ wait and active lists KEDA's worker ScaledObject reads (k8s/components/jobs)", async () => {
    const a = await open(1000);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await a.jobs.create(newJob())).job.id);
    const redis = new Redis(TEST_REDIS_URL);
    const waiting = () => redis.llen(`${redisKeys(prefix).bull}:${JOBS_QUEUE}:wait`);
    const active = () => redis.llen(`${redisKeys(prefix).bull}:${JOBS_QUEUE}:active`);
    try {
      expect(await waiting()).toBe(3);
      // A job a worker holds has left the list: the list is the backlog, as the gauge's "queued".
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      workers.push(a.queue.startWorker(async (j) => (await gate, ok(j)), { concurrency: 1 }));
      await waitFor(async () => (await a.jobs.stats()).counts.processing === 1);
      expect(await waiting()).toBe(2);
      expect((await a.jobs.stats()).counts.queued).toBe(2);
      // ...and is in the active list, KEDA's other trigger (busy workers are not scaled away).
      expect(await active()).toBe(1);
      release();
      await waitFor(async () => (await a.jobs.stats()).counts.completed === 3);
      expect(await waiting()).toBe(0);
      await waitFor(async () => (await active()) === 0);
    } finally {
      redis.disconnect();
    }
  });
});
