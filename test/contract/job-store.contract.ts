/**
 * The JobStore contract (src/jobs/types.ts), as a suite any implementation runs:
 *   describeJobStoreContract('sqlite', async (opts) => harness)
 * A harness opens store instances over the same data: each instance stands for one server
 * process, and kill() is that process's `kill -9` (no lease released, no job handed back).
 * Timings are real (Redis cannot fake a clock), so the options shrink leases and backoffs.
 */
import client from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobMetrics } from '../../src/jobs/metrics.js';
import { newJobId } from '../../src/jobs/ids.js';
import {
  deliveryIdFor,
  PermanentJobError,
  type DeliveryResult,
  type JobAbortReason,
  type JobHandler,
  type JobRecord,
  type JobStore,
  type JobStoreOptions,
  type NewJob,
  type RunningWorker,
} from '../../src/jobs/types.js';

export interface JobStoreHarness {
  /** A new store instance ("process") over the harness's data. */
  open(): Promise<JobStore>;
  /** Simulates kill -9 of that instance: its timers and connections stop, nothing is handed back. */
  kill(store: JobStore): Promise<void>;
  /** Closes what is still open and removes the data. */
  cleanup(): Promise<void>;
}

export type JobStoreFactory = (opts: JobStoreOptions) => Promise<JobStoreHarness>;

export const CONTRACT_OPTIONS: JobStoreOptions = {
  leaseMs: 1000,
  pollMs: 25,
  webhookMaxAttempts: 3,
  webhookBackoffMs: (n) => 100 * n,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The owner newJob() gives (a key digest in production); the contract's lists ask for it. */
export const OWNER = 'owner-a';

export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  const id = overrides.id ?? newJobId();
  return {
    id,
    owner: OWNER,
    params: { model: 'tiny.en', task: 'transcribe', response_format: 'json' },
    input: { kind: 'upload', key: `jobs/${id}/input`, bytes: 10, filename: 'a.wav' },
    metadata: { k: 'v' },
    webhook_url: null,
    idempotency_key: null,
    audio_seconds: 2,
    max_attempts: 3,
    ...overrides,
  };
}

const okOutcome = (job: JobRecord) => ({
  result: { key: `jobs/${job.id}/result`, content_type: 'application/json', bytes: 5 },
  audio_seconds: 2,
});

const terminal = (store: JobStore, id: string, timeoutMs = 10_000) =>
  waitFor(async () => {
    const j = await store.jobs.get(id);
    return j && ['completed', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
  }, timeoutMs, `job ${id} to end`);

export function describeJobStoreContract(name: string, factory: JobStoreFactory, options: JobStoreOptions = CONTRACT_OPTIONS): void {
  describe(`JobStore contract: ${name}`, () => {
    let harness: JobStoreHarness;
    const workers: RunningWorker[] = [];
    const open = async () => {
      harness ??= await factory(options);
      return harness.open();
    };
    const start = (store: JobStore, handler: JobHandler, concurrency = 2) => {
      const w = store.queue.startWorker(handler, { concurrency });
      workers.push(w);
      return w;
    };
    afterEach(async () => {
      for (const w of workers.splice(0)) await w.close();
      await harness?.cleanup();
      harness = undefined as unknown as JobStoreHarness;
    });

    describe('records', () => {
      it('creates a queued job with every field and reads it back', async () => {
        const store = await open();
        const init = newJob({
          metadata: { user: 'u1' }, webhook_url: 'https://example.com/hook',
          params: { model: 'tiny.en', task: 'transcribe', response_format: 'json', chunking_strategy: { type: 'server_vad', threshold: 0.6, silence_duration_ms: 300 } },
        });
        const { job, created } = await store.jobs.create(init);
        expect(created).toBe(true);
        expect(job).toMatchObject({
          id: init.id, object: 'audio.job', status: 'queued', started_at: null, completed_at: null,
          model: 'tiny.en', task: 'transcribe', response_format: 'json', progress: 0, audio_seconds: 2,
          error: null, metadata: { user: 'u1' }, attempts: 0, max_attempts: 3, result: null,
          webhook_url: 'https://example.com/hook', cancel_requested: false, input: init.input, params: init.params, owner: OWNER,
        });
        expect(Math.abs(job.created_at - Date.now() / 1000)).toBeLessThan(5);
        expect(await store.jobs.get(init.id)).toEqual(job);
        expect(await store.jobs.get(newJobId())).toBeUndefined();
      });

      it('returns the existing job for a reused idempotency key', async () => {
        const store = await open();
        const first = await store.jobs.create(newJob({ idempotency_key: 'key-1' }));
        const again = await store.jobs.create(newJob({ idempotency_key: 'key-1' }));
        expect(again.created).toBe(false);
        expect(again.job.id).toBe(first.job.id);
        const other = await store.jobs.create(newJob({ idempotency_key: 'key-2' }));
        expect(other.created).toBe(true);
        expect((await store.jobs.list({ owner: OWNER, limit: 100 })).data).toHaveLength(2);
      });

      it('lists newest first with an after cursor, a limit and a status filter', async () => {
        const store = await open();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await store.jobs.create(newJob())).job.id);
        const newest = [...ids].reverse();
        const p1 = await store.jobs.list({ owner: OWNER, limit: 2 });
        expect(p1.data.map((j) => j.id)).toEqual(newest.slice(0, 2));
        expect(p1.has_more).toBe(true);
        const p2 = await store.jobs.list({ owner: OWNER, limit: 2, after: p1.data[1]!.id });
        expect(p2.data.map((j) => j.id)).toEqual(newest.slice(2, 4));
        const p3 = await store.jobs.list({ owner: OWNER, limit: 2, after: p2.data[1]!.id });
        expect(p3.data.map((j) => j.id)).toEqual(newest.slice(4));
        expect(p3.has_more).toBe(false);
        await store.queue.cancel(ids[1]!);
        const cancelled = await store.jobs.list({ owner: OWNER, limit: 10, status: 'cancelled' });
        expect(cancelled.data.map((j) => j.id)).toEqual([ids[1]]);
        expect((await store.jobs.list({ owner: OWNER, limit: 10, status: 'queued' })).data).toHaveLength(4);
      });

      it("scopes lists to one owner: pages, status filters and another owner's cursor; the owner survives every transition", async () => {
        const store = await open();
        const mine: string[] = [];
        const theirs: string[] = [];
        // Interleaved, so an owner's page that leaked the other's jobs would show it.
        for (let i = 0; i < 4; i++) {
          mine.push((await store.jobs.create(newJob())).job.id);
          theirs.push((await store.jobs.create(newJob({ owner: 'owner-b' }))).job.id);
        }
        const p1 = await store.jobs.list({ owner: OWNER, limit: 3 });
        expect(p1.data.map((j) => j.id)).toEqual([...mine].reverse().slice(0, 3));
        expect(p1.has_more).toBe(true);
        const p2 = await store.jobs.list({ owner: OWNER, limit: 3, after: p1.data[2]!.id });
        expect(p2.data.map((j) => j.id)).toEqual([mine[0]]);
        expect(p2.has_more).toBe(false);
        expect((await store.jobs.list({ owner: 'owner-b', limit: 100 })).data.map((j) => j.id)).toEqual([...theirs].reverse());
        expect((await store.jobs.list({ owner: 'owner-c', limit: 100 })).data).toEqual([]);
        // Another owner's id as a cursor reveals nothing: an empty page, as an unknown id.
        expect(await store.jobs.list({ owner: OWNER, limit: 100, after: theirs[3]! })).toEqual({ data: [], has_more: false });
        expect(await store.jobs.list({ owner: OWNER, limit: 100, after: newJobId() })).toEqual({ data: [], has_more: false });
        // Status filters stay within the owner, across transitions.
        await store.queue.cancel(theirs[1]!);
        await store.queue.cancel(mine[2]!);
        expect((await store.jobs.list({ owner: OWNER, limit: 10, status: 'cancelled' })).data.map((j) => j.id)).toEqual([mine[2]]);
        const queued = await store.jobs.list({ owner: OWNER, limit: 2, status: 'queued' });
        expect(queued.data.map((j) => j.id)).toEqual([mine[3], mine[1]]);
        expect(queued.has_more).toBe(true);
        expect((await store.jobs.list({ owner: OWNER, limit: 2, status: 'queued', after: mine[1]! })).data.map((j) => j.id)).toEqual([mine[0]]);
        expect((await store.jobs.get(mine[2]!))?.owner).toBe(OWNER);
        expect((await store.jobs.get(theirs[1]!))?.owner).toBe('owner-b');
        // A deleted job leaves its owner's list.
        await store.jobs.delete(mine[3]!);
        expect((await store.jobs.list({ owner: OWNER, limit: 100 })).data.map((j) => j.id)).toEqual([mine[2], mine[1], mine[0]]);
        // The same idempotency key under two owners is two jobs (the service prefixes keys by owner).
        const a = await store.jobs.create(newJob({ idempotency_key: `${OWNER}/k` }));
        const b = await store.jobs.create(newJob({ owner: 'owner-b', idempotency_key: 'owner-b/k' }));
        expect(a.created && b.created).toBe(true);
        expect(a.job.id).not.toBe(b.job.id);
      });

      it('deletes a record with its deliveries, and purges only old terminal jobs', async () => {
        const store = await open();
        const a = (await store.jobs.create(newJob({ webhook_url: 'https://example.com/h' }))).job;
        const b = (await store.jobs.create(newJob())).job;
        await store.queue.cancel(a.id);
        expect(await store.deliveries.listForJob(a.id)).toHaveLength(1);
        expect(await store.jobs.purgeTerminal(Date.now() / 1000 - 3600)).toEqual([]);
        expect(await store.jobs.purgeTerminal(Date.now() / 1000 + 5)).toEqual([a.id]);
        expect(await store.jobs.get(a.id)).toBeUndefined();
        expect(await store.deliveries.listForJob(a.id)).toEqual([]);
        expect(await store.jobs.delete(b.id)).toBe(true);
        expect(await store.jobs.delete(b.id)).toBe(false);
        expect(await store.jobs.get(b.id)).toBeUndefined();
      });

      it('tracks submit intents, shared by every instance, until they end', async () => {
        const a = await open();
        const b = await open();
        expect(a.intents, 'both stores track submits (orphan sweep)').toBeDefined();
        const [x, y] = [newJobId(), newJobId()];
        await a.intents!.begin(x);
        const between = Date.now() + 1;
        await sleep(5);
        await b.intents!.begin(y);
        // Stale means begun before the cutoff, and any instance sees any other's.
        expect(await b.intents!.stale(between)).toEqual([x]);
        expect((await a.intents!.stale(Date.now() + 1000)).sort()).toEqual([x, y].sort());
        await b.intents!.end(x);
        await a.intents!.end(x);
        expect(await a.intents!.stale(Date.now() + 1000)).toEqual([y]);
        await a.intents!.end(y);
        expect(await b.intents!.stale(Date.now() + 1000)).toEqual([]);
      });

      it('counts jobs by status and the queued audio backlog', async () => {
        const store = await open();
        await store.jobs.create(newJob({ audio_seconds: 10 }));
        await store.jobs.create(newJob({ audio_seconds: 5.5 }));
        await store.jobs.create(newJob({ audio_seconds: null }));
        const c = (await store.jobs.create(newJob({ audio_seconds: 100 }))).job;
        await store.queue.cancel(c.id);
        const s = await store.jobs.stats();
        expect(s.counts).toEqual({ queued: 3, processing: 0, completed: 0, failed: 0, cancelled: 1 });
        expect(s.backlog_audio_seconds).toBeCloseTo(15.5);
      });
    });

    describe('worker', () => {
      it('runs a job to completed, with progress visible while it runs', async () => {
        const store = await open();
        const { job } = await store.jobs.create(newJob());
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const seen: number[] = [];
        start(store, async (j, ctx) => {
          seen.push(ctx.attempt);
          expect(j.status).toBe('processing');
          await ctx.reportProgress({ progress: 0.5, audio_seconds: 2 });
          await gate;
          return okOutcome(j);
        });
        const running = await waitFor(async () => {
          const j = await store.jobs.get(job.id);
          return j?.progress === 0.5 ? j : undefined;
        });
        expect(running).toMatchObject({ status: 'processing', attempts: 1 });
        expect(running.started_at).not.toBeNull();
        release();
        const done = await terminal(store, job.id);
        expect(done).toMatchObject({ status: 'completed', progress: 1, audio_seconds: 2, attempts: 1, error: null });
        expect(done.result).toEqual(okOutcome(job).result);
        expect(done.completed_at).not.toBeNull();
        expect(seen).toEqual([1]);
      });

      it('fails at once on a PermanentJobError, keeping its body', async () => {
        const store = await open();
        const { job } = await store.jobs.create(newJob());
        let calls = 0;
        start(store, async () => {
          calls++;
          throw new PermanentJobError({ message: 'bad audio', type: 'invalid_request_error', code: 'invalid_value', param: 'file' });
        });
        const done = await terminal(store, job.id);
        expect(done.status).toBe('failed');
        expect(done.error).toEqual({ message: 'bad audio', type: 'invalid_request_error', code: 'invalid_value', param: 'file' });
        expect(calls).toBe(1);
      });

      it('retries other errors up to max_attempts, then fails with the reason', async () => {
        const store = await open();
        const { job } = await store.jobs.create(newJob({ max_attempts: 2 }));
        const attempts: number[] = [];
        start(store, async (_j, ctx) => {
          attempts.push(ctx.attempt);
          throw new Error(`boom ${ctx.attempt}`);
        });
        const done = await terminal(store, job.id);
        expect(done.status).toBe('failed');
        expect(done.attempts).toBe(2);
        expect(done.error).toMatchObject({ code: 'job_failed', type: 'server_error' });
        expect(done.error!.message).toContain('boom 2');
        expect(attempts).toEqual([1, 2]);
      });

      it('completes on a retry after a transient error', async () => {
        const store = await open();
        const { job } = await store.jobs.create(newJob());
        start(store, async (j, ctx) => {
          if (ctx.attempt === 1) throw new Error('transient');
          return okOutcome(j);
        });
        const done = await terminal(store, job.id);
        expect(done).toMatchObject({ status: 'completed', attempts: 2, error: null });
      });

      it('runs each of many jobs exactly once across two instances', async () => {
        const a = await open();
        const b = await harness.open();
        const ids: string[] = [];
        for (let i = 0; i < 12; i++) ids.push((await a.jobs.create(newJob())).job.id);
        const runs = new Map<string, number>();
        const handler: JobHandler = async (j) => {
          runs.set(j.id, (runs.get(j.id) ?? 0) + 1);
          await sleep(10);
          return okOutcome(j);
        };
        start(a, handler);
        start(b, handler);
        for (const id of ids) expect((await terminal(a, id)).status).toBe('completed');
        expect([...runs.values()].every((n) => n === 1)).toBe(true);
        expect(runs.size).toBe(12);
      });
    });

    describe('cancel', () => {
      it('cancels a queued job at once: it never runs', async () => {
        const store = await open();
        const { job } = await store.jobs.create(newJob());
        const cancelled = await store.queue.cancel(job.id);
        expect(cancelled).toMatchObject({ status: 'cancelled' });
        expect(cancelled!.completed_at).not.toBeNull();
        let ran = false;
        start(store, async (j) => {
          ran = true;
          return okOutcome(j);
        });
        await sleep(200);
        expect(ran).toBe(false);
        expect((await store.jobs.get(job.id))!.status).toBe('cancelled');
      });

      it('aborts a running job with reason cancelled, from another instance too', async () => {
        const runner = await open();
        const api = await harness.open();
        const { job } = await api.jobs.create(newJob());
        let reason: JobAbortReason | undefined;
        start(runner, (j, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => {
              reason = ctx.signal.reason as JobAbortReason;
              reject(new Error('aborted'));
            });
          }));
        await waitFor(async () => (await api.jobs.get(job.id))?.status === 'processing');
        const t0 = Date.now();
        const r = await api.queue.cancel(job.id);
        expect(r!.cancel_requested || r!.status === 'cancelled').toBe(true);
        const done = await terminal(api, job.id);
        expect(done.status).toBe('cancelled');
        expect(reason).toBe('cancelled');
        expect(Date.now() - t0).toBeLessThan(options.leaseMs * 3);
      });

      it('leaves terminal jobs as they are and answers undefined for unknown ids', async () => {
        const store = await open();
        const { job } = await store.jobs.create(newJob());
        start(store, async (j) => okOutcome(j));
        await terminal(store, job.id);
        expect((await store.queue.cancel(job.id))!.status).toBe('completed');
        expect((await store.jobs.get(job.id))!.status).toBe('completed');
        expect(await store.queue.cancel(newJobId())).toBeUndefined();
      });
    });

    describe('crash and shutdown', () => {
      it('hands running jobs back on worker close, without counting the claim', async () => {
        const store = await open();
        const { job } = await store.jobs.create(newJob());
        let reason: unknown;
        const w = store.queue.startWorker((_j, ctx) =>
          new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
            reject(new Error('stopped'));
          })), { concurrency: 1 });
        await waitFor(async () => (await store.jobs.get(job.id))?.status === 'processing');
        await w.close();
        expect(reason).toBe('shutdown');
        const back = await store.jobs.get(job.id);
        expect(back).toMatchObject({ status: 'queued', attempts: 0 });
        start(store, async (j, ctx) => {
          expect(ctx.attempt).toBe(1);
          return okOutcome(j);
        });
        expect((await terminal(store, job.id)).status).toBe('completed');
      });

      it('runs a job again after its process is killed, once the lease expires', async () => {
        const dying = await open();
        const { job } = await dying.jobs.create(newJob());
        start(dying, () => new Promise(() => {}));
        await waitFor(async () => (await dying.jobs.get(job.id))?.status === 'processing');
        await harness.kill(dying);
        const next = await harness.open();
        const attempts: number[] = [];
        start(next, async (j, ctx) => {
          attempts.push(ctx.attempt);
          return okOutcome(j);
        });
        const done = await terminal(next, job.id, options.leaseMs * 10);
        expect(done).toMatchObject({ status: 'completed', attempts: 2 });
        expect(attempts).toEqual([2]);
      });

      it('ends a killed job failed (worker_lost) once its attempts are spent', async () => {
        const dying = await open();
        const { job } = await dying.jobs.create(newJob({ max_attempts: 1 }));
        start(dying, () => new Promise(() => {}));
        await waitFor(async () => (await dying.jobs.get(job.id))?.status === 'processing');
        await harness.kill(dying);
        const next = await harness.open();
        let ran = false;
        start(next, async (j) => {
          ran = true;
          return okOutcome(j);
        });
        const done = await terminal(next, job.id, options.leaseMs * 10);
        expect(done.status).toBe('failed');
        expect(done.error!.code).toBe('worker_lost');
        expect(ran).toBe(false);
      });

      it('ends a killed job cancelled, not run again, when a cancel was asked', async () => {
        const dying = await open();
        const { job } = await dying.jobs.create(newJob());
        start(dying, () => new Promise(() => {}));
        await waitFor(async () => (await dying.jobs.get(job.id))?.status === 'processing');
        await harness.kill(dying);
        const next = await harness.open();
        await next.queue.cancel(job.id);
        let ran = false;
        start(next, async (j) => {
          ran = true;
          return okOutcome(j);
        });
        const done = await terminal(next, job.id, options.leaseMs * 10);
        expect(done.status).toBe('cancelled');
        expect(ran).toBe(false);
      });
    });

    describe('deliveries', () => {
      const startDeliveries = (store: JobStore, handler: (d: { id: string; attempt: number; at: number }) => DeliveryResult) => {
        const w = store.deliveries.startWorker(async (d, ctx) => handler({ id: d.id, attempt: ctx.attempt, at: Date.now() }), { concurrency: 2 });
        workers.push(w);
        return w;
      };
      const ok: DeliveryResult = { ok: true, status_code: 200, duration_ms: 1 };
      const fail = (retry: boolean, extra: Partial<Extract<DeliveryResult, { ok: false }>> = {}): DeliveryResult => ({
        ok: false, retry, status_code: 500, error: 'HTTP 500', duration_ms: 1, ...extra,
      });
      const delivered = (store: JobStore, id: string, status = 'delivered') =>
        waitFor(async () => {
          const [d] = await store.deliveries.listForJob(id);
          return d && d.status === status ? d : undefined;
        }, 10_000, `delivery of ${id} to be ${status}`);

      it('creates exactly one delivery per terminal job with a webhook_url, with a fixed body', async () => {
        const store = await open();
        const withHook = (await store.jobs.create(newJob({ webhook_url: 'https://example.com/h' }))).job;
        const without = (await store.jobs.create(newJob())).job;
        start(store, async (j) => okOutcome(j));
        await terminal(store, withHook.id);
        await terminal(store, without.id);
        expect(await store.deliveries.listForJob(without.id)).toEqual([]);
        const [d, ...rest] = await store.deliveries.listForJob(withHook.id);
        expect(rest).toEqual([]);
        expect(d).toMatchObject({ id: deliveryIdFor(withHook.id), job_id: withHook.id, event: 'audio.job.completed', url: 'https://example.com/h', status: 'pending' });
        const body = JSON.parse(d!.payload);
        expect(body).toMatchObject({ type: 'audio.job.completed', data: { id: withHook.id, object: 'audio.job', status: 'completed' } });
        expect((await store.queue.cancel(withHook.id))!.status).toBe('completed');
        expect(await store.deliveries.listForJob(withHook.id)).toHaveLength(1);
      });

      it('delivers, recording each attempt, with backoff between retries and the same id', async () => {
        const store = await open();
        const { job } = await store.jobs.create(newJob({ webhook_url: 'https://example.com/h' }));
        await store.queue.cancel(job.id);
        const calls: { id: string; attempt: number; at: number }[] = [];
        startDeliveries(store, (c) => {
          calls.push(c);
          return c.attempt < 3 ? fail(true) : ok;
        });
        const d = await delivered(store, job.id);
        expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
        expect(new Set(calls.map((c) => c.id))).toEqual(new Set([deliveryIdFor(job.id)]));
        expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(options.webhookBackoffMs(1) - 20);
        expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(options.webhookBackoffMs(2) - 20);
        expect(d.attempts.map((a) => a.status_code)).toEqual([500, 500, 200]);
        expect(d.attempts.map((a) => a.error)).toEqual(['HTTP 500', 'HTTP 500', null]);
        expect(d.next_attempt_at_ms).toBeNull();
        expect(await store.deliveries.stats()).toMatchObject({ pending: 0, delivered: 1, failed: 0 });
      });

      it('waits at least retry_after_ms before trying again', async () => {
        const store = await open();
        const { job } = await store.jobs.create(newJob({ webhook_url: 'https://example.com/h' }));
        await store.queue.cancel(job.id);
        const calls: number[] = [];
        startDeliveries(store, (c) => {
          calls.push(c.at);
          return c.attempt === 1 ? fail(true, { status_code: 429, retry_after_ms: 600 }) : ok;
        });
        await delivered(store, job.id);
        expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(580);
      });

      it('stops at once on a non-retryable result, and after webhookMaxAttempts otherwise', async () => {
        const store = await open();
        const a = (await store.jobs.create(newJob({ webhook_url: 'https://example.com/a' }))).job;
        const b = (await store.jobs.create(newJob({ webhook_url: 'https://example.com/b' }))).job;
        await store.queue.cancel(a.id);
        await store.queue.cancel(b.id);
        const tries = new Map<string, number>();
        startDeliveries(store, (c) => {
          tries.set(c.id, c.attempt);
          return c.id === deliveryIdFor(a.id) ? fail(false, { status_code: 410, error: 'HTTP 410' }) : fail(true);
        });
        const da = await delivered(store, a.id, 'failed');
        const db = await delivered(store, b.id, 'failed');
        expect(da.attempts).toHaveLength(1);
        expect(db.attempts).toHaveLength(options.webhookMaxAttempts);
        expect(tries.get(deliveryIdFor(b.id))).toBe(options.webhookMaxAttempts);
        expect(await store.deliveries.stats()).toMatchObject({ pending: 0, failed: 2 });
      });

      it('delivers after a restart what a killed process left pending', async () => {
        const dying = await open();
        const { job } = await dying.jobs.create(newJob({ webhook_url: 'https://example.com/h' }));
        await dying.queue.cancel(job.id);
        const hung = dying.deliveries.startWorker(() => new Promise(() => {}), { concurrency: 1 });
        void hung;
        await sleep(100);
        await harness.kill(dying);
        const next = await harness.open();
        const ids: string[] = [];
        startDeliveries(next, (c) => {
          ids.push(c.id);
          return ok;
        });
        const d = await waitFor(async () => {
          const [x] = await next.deliveries.listForJob(job.id);
          return x?.status === 'delivered' ? x : undefined;
        }, options.leaseMs * 10);
        expect(ids).toEqual([deliveryIdFor(job.id)]);
        expect(d.attempts.at(-1)!.status_code).toBe(200);
      });
    });
    describe('metrics', () => {
      it('reports the backlog an autoscaler reads: whisper_jobs{status="queued"} counts the jobs no worker holds yet', async () => {
        const store = await open();
        const registry = new client.Registry();
        createJobMetrics(registry).attach({ stats: () => store.jobs.stats(), deliveryStats: () => store.deliveries.stats() });
        const read = async () => {
          const text = await registry.metrics();
          const value = (series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1]);
          return {
            queued: value('whisper_jobs{status="queued"}'),
            processing: value('whisper_jobs{status="processing"}'),
            completed: value('whisper_jobs{status="completed"}'),
            backlog: value('whisper_jobs_backlog_audio_seconds'),
          };
        };
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) ids.push((await store.jobs.create(newJob({ audio_seconds: 2 }))).job.id);
        expect(await read()).toEqual({ queued: 3, processing: 0, completed: 0, backlog: 6 });
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        start(store, async (j) => {
          await gate;
          return okOutcome(j);
        }, 1);
        // One slot: one job runs, two wait (the backlog), and all three are still audio to do.
        await waitFor(async () => ((await read()).processing === 1 ? true : undefined), 10_000, 'a job to start');
        expect(await read()).toEqual({ queued: 2, processing: 1, completed: 0, backlog: 6 });
        release();
        for (const id of ids) await terminal(store, id);
        expect(await read()).toEqual({ queued: 0, processing: 0, completed: 3, backlog: 0 });
      });
    });
  });
}
