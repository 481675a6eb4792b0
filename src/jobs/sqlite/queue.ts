/**
 * JobQueue over SQLite: leases and heartbeats. A claim writes `processing`, attempts + 1 and a
 * lease before the handler runs; the heartbeat renews the lease and reads the cancel flag (how a
 * cancel from another process arrives); a lease found expired belongs to a dead worker, and its
 * job is claimed again (or ends failed / cancelled). Every write that follows a claim is guarded
 * by `lease_owner`, so a worker that lost its lease can never overwrite the new owner's state.
 */
import { PermanentJobError, type JobHandler, type JobQueue, type JobRecord } from '../types.js';
import type { JobDb } from './job-db.js';
import { LeasedWorker, type HeartbeatVerdict } from './leased-worker.js';
import { toJob, type JobRow } from './rows.js';

const MINE = 'AND lease_owner = @owner';
const defaultRetryBackoff = (n: number) => Math.min(30_000, 1000 * 2 ** (n - 1));

export interface SqliteJobQueue extends JobQueue {
  /** Running workers of this process (for in-process cancel and crash simulation). */
  readonly workers: Set<LeasedWorker<JobRecord>>;
  nudge(): void;
}

export function createSqliteQueue(d: JobDb, onError: (err: unknown) => void): SqliteJobQueue {
  const workers = new Set<LeasedWorker<JobRecord>>();
  const leaseMs = d.opts.leaseMs;
  const retryBackoff = d.opts.jobRetryBackoffMs ?? defaultRetryBackoff;

  /** Ends or re-claims jobs whose worker died (lease expired), then claims the oldest due job. */
  const claim = (): JobRecord | undefined =>
    d.tx(() => {
      const now = d.now();
      const expired = d.sql(
        `SELECT * FROM jobs WHERE status = 'processing' AND lease_expires_ms < ? ORDER BY id LIMIT 16`,
      ).all(now) as JobRow[];
      const deadGuard = `AND status = 'processing' AND lease_expires_ms < ${now}`;
      for (const r of expired) {
        if (r.cancel_requested) {
          d.finish(r.id, 'cancelled', {}, deadGuard);
        } else if (r.attempts >= r.max_attempts) {
          d.finish(r.id, 'failed', {
            error: {
              message: `The worker running this job stopped ${r.attempts} time(s) (crash or lost lease); no attempts left.`,
              type: 'server_error', code: 'worker_lost', param: null,
            },
          }, deadGuard);
        } else {
          return takeLease(r.id, now, "status = 'processing'");
        }
      }
      const due = d.sql(`SELECT id FROM jobs WHERE status = 'queued' AND run_after_ms <= ? ORDER BY id LIMIT 1`).get(now) as
        | { id: string }
        | undefined;
      return due ? takeLease(due.id, now, "status = 'queued'") : undefined;
    });

  const takeLease = (id: string, now: number, from: string): JobRecord =>
    toJob(d.sql(
      `UPDATE jobs SET status = 'processing', attempts = attempts + 1, started_at_ms = COALESCE(started_at_ms, @now),
         lease_owner = @owner, lease_expires_ms = @until, updated_at_ms = @now
       WHERE id = @id AND ${from} RETURNING *`,
    ).get({ id, now, owner: d.owner, until: now + leaseMs }) as JobRow);

  const heartbeat = (job: JobRecord): HeartbeatVerdict => {
    if (d.dead) return 'ok';
    const now = d.now();
    const r = d.sql(
      `UPDATE jobs SET lease_expires_ms = @until WHERE id = @id AND status = 'processing' ${MINE} RETURNING cancel_requested`,
    ).get({ id: job.id, owner: d.owner, until: now + leaseMs }) as { cancel_requested: number } | undefined;
    if (!r) return 'lost';
    return r.cancel_requested ? 'cancelled' : 'ok';
  };

  const settle = (job: JobRecord, signal: AbortSignal, outcome: Awaited<ReturnType<JobHandler>> | undefined, error: unknown) => {
    if (d.dead) return;
    const reason = signal.aborted ? signal.reason : undefined;
    if (reason === 'lease_lost') return;
    const row = d.getRow(job.id);
    if (!row || row.lease_owner !== d.owner || row.status !== 'processing') return;
    if (reason === 'cancelled' || row.cancel_requested) {
      d.finish(job.id, 'cancelled', {}, MINE);
    } else if (outcome && error === undefined) {
      d.finish(job.id, 'completed', { result: outcome.result, audio_seconds: outcome.audio_seconds }, MINE);
    } else if (reason === 'shutdown') {
      // Handed back: the claim did not fail, so it is not counted.
      d.sql(
        `UPDATE jobs SET status = 'queued', attempts = MAX(attempts - 1, 0), lease_owner = NULL, lease_expires_ms = NULL,
           updated_at_ms = @now WHERE id = @id AND status = 'processing' ${MINE}`,
      ).run({ id: job.id, owner: d.owner, now: d.now() });
    } else if (error instanceof PermanentJobError) {
      d.finish(job.id, 'failed', { error: error.body }, MINE);
    } else if (row.attempts >= row.max_attempts) {
      const message = error instanceof Error ? error.message : String(error);
      d.finish(job.id, 'failed', {
        error: { message: `The job failed after ${row.attempts} attempt(s): ${message}`, type: 'server_error', code: 'job_failed', param: null },
      }, MINE);
    } else {
      const now = d.now();
      d.sql(
        `UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_ms = NULL, run_after_ms = @after,
           progress = 0, updated_at_ms = @now WHERE id = @id AND status = 'processing' ${MINE}`,
      ).run({ id: job.id, owner: d.owner, now, after: now + retryBackoff(row.attempts) });
    }
  };

  const queue: SqliteJobQueue = {
    workers,
    nudge: () => workers.forEach((w) => w.nudge()),

    startWorker(handler, opts) {
      const worker = new LeasedWorker<JobRecord>({
        concurrency: opts.concurrency,
        pollMs: d.opts.pollMs ?? 250,
        leaseMs,
        idOf: (j) => j.id,
        claim: () => (d.dead ? undefined : claim()),
        heartbeat,
        onError,
        async run(job, controller) {
          const ctx = {
            signal: controller.signal,
            attempt: job.attempts,
            async reportProgress(p: { progress: number; audio_seconds?: number }) {
              if (d.dead || controller.signal.aborted) return;
              d.sql(
                `UPDATE jobs SET progress = @p, audio_seconds = COALESCE(@a, audio_seconds), updated_at_ms = @now
                 WHERE id = @id AND status = 'processing' ${MINE}`,
              ).run({ id: job.id, owner: d.owner, p: Math.min(1, Math.max(0, p.progress)), a: p.audio_seconds ?? null, now: d.now() });
            },
          };
          let outcome: Awaited<ReturnType<JobHandler>> | undefined;
          let error: unknown;
          try {
            outcome = await handler(job, ctx);
          } catch (err) {
            error = err ?? new Error('handler failed');
          }
          settle(job, controller.signal, outcome, error);
        },
      });
      workers.add(worker);
      return {
        async close() {
          workers.delete(worker);
          await worker.stop('shutdown');
        },
      };
    },

    async cancel(id) {
      const row = d.tx(() => {
        const r = d.getRow(id);
        if (!r) return undefined;
        if (r.status === 'queued') d.finish(id, 'cancelled', {}, "AND status = 'queued'");
        else if (r.status === 'processing') {
          d.sql('UPDATE jobs SET cancel_requested = 1, updated_at_ms = ? WHERE id = ?').run(d.now(), id);
        }
        return d.getRow(id);
      });
      if (!row) return undefined;
      // Running here: abort now and let the reply show the final state.
      for (const w of workers) {
        const c = w.controllerOf(id);
        if (!c) continue;
        c.abort('cancelled');
        await Promise.race([w.settled(id), new Promise((r) => setTimeout(r, 2000))]);
        const now = d.getRow(id);
        return now ? toJob(now) : undefined;
      }
      return toJob(row);
    },
  };
  return queue;
}
