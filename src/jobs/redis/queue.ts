/**
 * JobQueue on BullMQ. BullMQ owns delivery to workers: one active holder per job (its lock,
 * renewed while the handler runs), stalled-job recovery when a holder dies (lock expired →
 * back to wait, in place of the SQLite lease), and retries with backoff. The job's record is
 * ours (state.ts): the claim writes `processing` and attempts + 1 before the handler runs, and
 * every later write checks the claim is still this one, so a worker that lost its lock never
 * overwrites the next one's state.
 *
 * Cancellation reaches the process running the job through a Redis pub/sub channel (at once),
 * backed by a poll of the cancel flag every half lease (if a message was missed).
 */
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  isTerminal,
  PermanentJobError,
  type JobHandler,
  type JobQueue,
  type JobRecord,
  type RunningWorker,
  type WorkerOptions,
} from '../types.js';
import { JOBS_QUEUE } from './keys.js';
import { killLocalWorkers } from './local-workers.js';
import type { RedisJobState } from './state.js';

const defaultRetryBackoff = (n: number) => Math.min(30_000, 1000 * 2 ** (n - 1));
// BullMQ must never give up on a stalled job by itself: the claim decides (worker_lost).
const MAX_STALLED = 1_000_000;

interface LocalWorker {
  worker: Worker;
  running: Map<string, number>;
  closing: boolean;
}

export class RedisJobQueue implements JobQueue {
  readonly queue: Queue;
  private readonly local = new Set<LocalWorker>();

  constructor(
    private readonly s: RedisJobState,
    /** Commands and the Queue (fails fast). */
    private readonly connection: Redis,
    /** The Workers' connection (maxRetriesPerRequest: null, as BullMQ requires). */
    private readonly workerConnection: Redis,
    private readonly afterTerminal: (job: JobRecord) => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {
    this.queue = new Queue(JOBS_QUEUE, { connection, prefix: s.keys.bull });
    this.queue.on('error', onError);
  }

  /** Adds the BullMQ job for a queued record; a no-op when one with this id exists. */
  async enqueue(job: JobRecord): Promise<void> {
    await this.queue.add(
      'transcribe',
      { id: job.id },
      { jobId: job.id, attempts: job.max_attempts, backoff: { type: 'job-retry' }, removeOnComplete: true, removeOnFail: 1000 },
    );
  }

  async dequeue(id: string): Promise<void> {
    // A job some worker holds cannot be removed; its claim will find the record gone or terminal.
    await this.queue.remove(id).catch(() => undefined);
  }

  async cancel(id: string): Promise<JobRecord | undefined> {
    const r = await this.s.updateJob(id, (j) => {
      if (isTerminal(j.status) || (j.status === 'processing' && j.cancel_requested)) return undefined;
      return j.status === 'queued' ? this.s.terminal(j, 'cancelled') : { ...j, cancel_requested: true };
    });
    if (!r) return undefined;
    if (r.changed && r.job.status === 'cancelled') {
      await this.dequeue(id);
      await this.afterTerminal(r.job);
    } else if (r.job.status === 'processing') {
      this.cancelLocal(id);
      await this.connection.publish(this.s.keys.cancelChannel, id);
    }
    return r.job;
  }

  /** Aborts the job if a worker of this process runs it (a cancel message or the poll). */
  cancelLocal(id: string): void {
    for (const w of this.local) if (w.running.has(id)) w.worker.cancelJob(id, 'cancelled');
  }

  startWorker(handler: JobHandler, opts: WorkerOptions): RunningWorker {
    const retryBackoff = this.s.opts.jobRetryBackoffMs ?? defaultRetryBackoff;
    const leaseMs = this.s.opts.leaseMs;
    const ctl: LocalWorker = { worker: undefined as unknown as Worker, running: new Map(), closing: false };
    ctl.worker = new Worker(JOBS_QUEUE, (job, token, signal) => this.process(ctl, handler, job, token!, signal!), {
      connection: this.workerConnection,
      prefix: this.s.keys.bull,
      concurrency: opts.concurrency,
      lockDuration: leaseMs,
      stalledInterval: leaseMs,
      maxStalledCount: MAX_STALLED,
      settings: { backoffStrategy: (attemptsMade: number) => retryBackoff(attemptsMade) },
    });
    ctl.worker.on('error', (err) => !this.s.dead && this.onError(err));
    ctl.worker.on('lockRenewalFailed', (ids) => ids.forEach((id) => ctl.worker.cancelJob(id, 'lease_lost')));
    this.local.add(ctl);
    void this.reconcile().catch(this.onError);
    const poll = setInterval(() => void this.pollCancels(ctl).catch(this.onError), Math.max(50, leaseMs / 2));
    poll.unref();
    let closed: Promise<void> | undefined;
    return {
      close: () =>
        (closed ??= (async () => {
          ctl.closing = true;
          clearInterval(poll);
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

  private async process(ctl: LocalWorker, handler: JobHandler, bjob: Job, token: string, signal: AbortSignal): Promise<string> {
    const id = String(bjob.id);
    if (ctl.closing) return this.handBackToBull(bjob, token);
    const job = await this.claim(id);
    if (!job) return 'skipped';
    const attempt = job.attempts;
    ctl.running.set(id, attempt);
    let outcome: Awaited<ReturnType<JobHandler>> | undefined;
    let error: unknown;
    try {
      if (ctl.closing) signal.throwIfAborted();
      outcome = await handler(job, {
        signal,
        attempt,
        reportProgress: async ({ progress, audio_seconds }) => {
          await this.s.updateJob(id, (j) =>
            j.status === 'processing' && j.attempts === attempt
              ? { ...j, progress: Math.min(1, Math.max(0, progress)), audio_seconds: audio_seconds ?? j.audio_seconds }
              : undefined,
          );
        },
      });
    } catch (err) {
      error = err ?? new Error('job handler failed');
    } finally {
      ctl.running.delete(id);
    }
    const reason = signal.aborted ? signal.reason : undefined;
    if (this.s.dead || reason === 'lease_lost') return 'lost';
    if (reason === 'shutdown') {
      await this.s.updateJob(id, (j) =>
        j.status === 'processing' && j.attempts === attempt
          ? { ...j, status: 'queued', attempts: attempt - 1, started_at: attempt - 1 === 0 ? null : j.started_at }
          : undefined,
      );
      return this.handBackToBull(bjob, token);
    }
    let retry = false;
    const r = await this.s.updateJob(id, (j) => {
      if (j.status !== 'processing' || j.attempts !== attempt) return undefined;
      if (reason === 'cancelled' || j.cancel_requested) return this.s.terminal(j, 'cancelled');
      if (error === undefined && outcome) {
        return this.s.terminal(j, 'completed', { result: outcome.result, audio_seconds: outcome.audio_seconds, error: null });
      }
      if (error instanceof PermanentJobError) return this.s.terminal(j, 'failed', { error: error.body });
      if (attempt < j.max_attempts) {
        retry = true;
        return { ...j, status: 'queued' };
      }
      const message = error instanceof Error ? error.message : String(error);
      return this.s.terminal(j, 'failed', {
        error: { message: `Job failed after ${attempt} attempt(s): ${message}`, type: 'server_error', code: 'job_failed', param: null },
      });
    });
    if (r?.changed && isTerminal(r.job.status)) await this.afterTerminal(r.job);
    // BullMQ schedules the retry, with the backoff strategy above.
    if (r?.changed && retry) throw error instanceof Error ? error : new Error(String(error));
    return r?.job.status ?? 'gone';
  }

  /** queued/processing(dead worker) → processing, attempts + 1; or the end the record calls for. */
  private async claim(id: string): Promise<JobRecord | undefined> {
    const r = await this.s.updateJob(id, (j) => {
      if (isTerminal(j.status)) return undefined;
      if (j.cancel_requested) return this.s.terminal(j, 'cancelled');
      if (j.attempts >= j.max_attempts) {
        return this.s.terminal(j, 'failed', {
          error: {
            message: `The worker running this job stopped ${j.attempts} time(s) (crash or lost lock); no attempts left.`,
            type: 'server_error',
            code: 'worker_lost',
            param: null,
          },
        });
      }
      return { ...j, status: 'processing', attempts: j.attempts + 1, started_at: j.started_at ?? Math.floor(this.s.now() / 1000) };
    });
    if (!r?.changed) return undefined;
    if (isTerminal(r.job.status)) {
      await this.afterTerminal(r.job);
      return undefined;
    }
    return r.job;
  }

  private async handBackToBull(bjob: Job, token: string): Promise<never> {
    await bjob.moveToWait(token);
    throw new WaitingError();
  }

  private async pollCancels(ctl: LocalWorker): Promise<void> {
    if (ctl.running.size === 0 || this.s.dead) return;
    for (const job of await this.s.readMany([...ctl.running.keys()])) {
      if (job.cancel_requested) ctl.worker.cancelJob(job.id, 'cancelled');
    }
  }

  /** Queued records without a BullMQ job (a crash between the two writes of create) are enqueued. */
  private async reconcile(): Promise<void> {
    const ids = await this.s.redis.zrange(this.s.keys.status('queued'), 0, -1);
    for (const job of await this.s.readMany(ids)) {
      if (job.status === 'queued' && !(await this.queue.getJob(job.id))) await this.enqueue(job);
    }
  }
}

