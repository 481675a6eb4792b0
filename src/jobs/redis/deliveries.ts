/**
 * Webhook deliveries as BullMQ jobs (queue `webhooks`, job id = the delivery's webhook-id).
 * The delivery record (state.ts) is created by the job's terminal transition; this queue tries
 * it. Each attempt is appended to the record before the next is scheduled with
 * `moveToDelayed` (so Retry-After can lengthen the backoff); a worker killed mid-attempt loses
 * its lock and BullMQ hands the delivery to another worker (stalled-job recovery).
 */
import { DelayedError, Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  deliveryIdFor,
  type DeliveryHandler,
  type DeliveryQueue,
  type DeliveryRecord,
  type DeliveryResult,
  type RunningWorker,
  type WorkerOptions,
} from '../types.js';
import { WEBHOOKS_QUEUE } from './keys.js';
import { killLocalWorkers } from './local-workers.js';
import type { RedisJobState } from './state.js';

const MAX_STALLED = 1_000_000;

export class RedisDeliveryQueue implements DeliveryQueue {
  readonly queue: Queue;
  private readonly local = new Set<{ worker: Worker; closing: boolean }>();

  constructor(
    private readonly s: RedisJobState,
    /** Commands and the Queue (fails fast). */
    private readonly connection: Redis,
    /** The Workers' connection (maxRetriesPerRequest: null, as BullMQ requires). */
    private readonly workerConnection: Redis,
    private readonly onError: (err: unknown) => void,
  ) {
    this.queue = new Queue(WEBHOOKS_QUEUE, { connection, prefix: s.keys.bull });
    this.queue.on('error', onError);
  }

  async enqueue(jobId: string): Promise<void> {
    await this.queue.add('deliver', { job_id: jobId }, { jobId: deliveryIdFor(jobId), removeOnComplete: true, removeOnFail: 1000 });
  }

  async listForJob(jobId: string): Promise<DeliveryRecord[]> {
    const d = await this.s.readDelivery(jobId);
    return d ? [d.doc] : [];
  }

  async stats(): Promise<{ pending: number; delivered: number; failed: number }> {
    const [pending, delivered, failed] = await Promise.all(
      (['pending', 'delivered', 'failed'] as const).map((st) => this.s.deliveryCount(st)),
    );
    return { pending, delivered, failed };
  }

  startWorker(handler: DeliveryHandler, opts: WorkerOptions): RunningWorker {
    const ctl = { worker: undefined as unknown as Worker, closing: false };
    ctl.worker = new Worker(WEBHOOKS_QUEUE, (job, token, signal) => this.process(ctl, handler, job, token!, signal!), {
      connection: this.workerConnection,
      prefix: this.s.keys.bull,
      concurrency: opts.concurrency,
      lockDuration: this.s.opts.leaseMs,
      stalledInterval: this.s.opts.leaseMs,
      maxStalledCount: MAX_STALLED,
    });
    ctl.worker.on('error', (err) => !this.s.dead && this.onError(err));
    ctl.worker.on('lockRenewalFailed', (ids) => ids.forEach((id) => ctl.worker.cancelJob(id, 'lease_lost')));
    this.local.add(ctl);
    void this.reconcile().catch(this.onError);
    let closed: Promise<void> | undefined;
    return {
      close: () =>
        (closed ??= (async () => {
          ctl.closing = true;
          ctl.worker.cancelAllJobs('shutdown');
          await ctl.worker.close();
          this.local.delete(ctl);
        })()),
    };
  }

  /** kill -9 of this process, as far as its workers go: stop everything, hand nothing back. */
  killWorkers(): Promise<void> {
    return killLocalWorkers(this.local);
  }

  private async process(ctl: { closing: boolean }, handler: DeliveryHandler, bjob: Job, token: string, signal: AbortSignal): Promise<string> {
    const jobId = String(bjob.data.job_id);
    if (ctl.closing) return this.handBack(bjob, token);
    const cur = (await this.s.readDelivery(jobId))?.doc;
    if (!cur || cur.status !== 'pending') return 'done';
    // Redelivered early (a stalled worker's job, a reconcile): keep the schedule.
    if (cur.next_attempt_at_ms !== null && cur.next_attempt_at_ms > Date.now() + 5) return this.delay(bjob, token, cur.next_attempt_at_ms);
    const attempt = cur.attempts.length + 1;
    const started = Date.now();
    let result: DeliveryResult;
    try {
      result = await handler(cur, { signal, attempt });
    } catch (err) {
      result = { ok: false, retry: true, status_code: null, error: (err as Error)?.message ?? String(err), duration_ms: Date.now() - started };
    }
    const reason = signal.aborted ? signal.reason : undefined;
    if (this.s.dead || reason === 'lease_lost') return 'lost';
    if (reason === 'shutdown') return this.handBack(bjob, token);
    const maxAttempts = this.s.opts.webhookMaxAttempts;
    const next = await this.s.updateDelivery(jobId, (d) => {
      if (d.status !== 'pending' || d.attempts.length !== attempt - 1) return undefined;
      const attempts = [
        ...d.attempts,
        { at_ms: started, status_code: result.status_code, error: result.ok ? null : result.error, duration_ms: result.duration_ms },
      ];
      if (result.ok) return { ...d, attempts, status: 'delivered', next_attempt_at_ms: null };
      if (!result.retry || attempt >= maxAttempts) return { ...d, attempts, status: 'failed', next_attempt_at_ms: null };
      const wait = Math.max(this.s.opts.webhookBackoffMs(attempt), result.retry_after_ms ?? 0);
      return { ...d, attempts, next_attempt_at_ms: Date.now() + wait };
    });
    if (next?.status === 'pending' && next.next_attempt_at_ms !== null) return this.delay(bjob, token, next.next_attempt_at_ms);
    return next?.status ?? 'gone';
  }

  private async delay(bjob: Job, token: string, at: number): Promise<never> {
    await bjob.moveToDelayed(at, token);
    throw new DelayedError();
  }

  private async handBack(bjob: Job, token: string): Promise<never> {
    await bjob.moveToWait(token);
    throw new WaitingError();
  }

  /** Pending deliveries without a BullMQ job (a crash right after the terminal transition). */
  private async reconcile(): Promise<void> {
    const ids = await this.s.redis.zrange(this.s.keys.deliveryStatus('pending'), 0, -1);
    for (const jobId of ids) {
      if (!(await this.queue.getJob(deliveryIdFor(jobId)))) await this.enqueue(jobId);
    }
  }
}
