/**
 * DeliveryQueue over SQLite. Rows are created by the terminal transition (job-db.ts); workers
 * lease a due row, run the handler, and append the attempt and the next due time in one write.
 * A delivery whose worker died keeps its lease until it expires, then it is tried again with
 * the same id (at least once: the receiver dedupes on webhook-id).
 */
import type { DeliveryAttempt, DeliveryQueue, DeliveryRecord } from '../types.js';
import type { JobDb } from './job-db.js';
import { LeasedWorker } from './leased-worker.js';
import { toDelivery, type DeliveryRow } from './rows.js';

export interface SqliteDeliveryQueue extends DeliveryQueue {
  readonly workers: Set<LeasedWorker<DeliveryRecord>>;
}

export function createSqliteDeliveries(d: JobDb, onError: (err: unknown) => void): SqliteDeliveryQueue {
  const workers = new Set<LeasedWorker<DeliveryRecord>>();
  const leaseMs = d.opts.leaseMs;

  const claim = (): DeliveryRecord | undefined =>
    d.tx(() => {
      const now = d.now();
      const row = d.sql(
        `UPDATE deliveries SET lease_owner = @owner, lease_expires_ms = @until
         WHERE id = (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_ms <= @now
                     AND (lease_owner IS NULL OR lease_expires_ms < @now) ORDER BY next_attempt_ms LIMIT 1)
         RETURNING *`,
      ).get({ owner: d.owner, now, until: now + leaseMs }) as DeliveryRow | undefined;
      return row ? toDelivery(row) : undefined;
    });

  const record = (id: string, attempt: DeliveryAttempt, next: { status: DeliveryRecord['status']; at: number | null }) =>
    d.tx(() => {
      const row = d.sql('SELECT attempts FROM deliveries WHERE id = ? AND lease_owner = ?').get(id, d.owner) as
        | { attempts: string }
        | undefined;
      if (!row) return;
      const attempts = [...(JSON.parse(row.attempts) as DeliveryAttempt[]), attempt];
      d.sql(
        `UPDATE deliveries SET attempts = ?, status = ?, next_attempt_ms = ?, lease_owner = NULL, lease_expires_ms = NULL WHERE id = ?`,
      ).run(JSON.stringify(attempts), next.status, next.at, id);
    });

  return {
    workers,
    async listForJob(jobId) {
      return (d.sql('SELECT * FROM deliveries WHERE job_id = ? ORDER BY created_at_ms').all(jobId) as DeliveryRow[]).map(toDelivery);
    },

    async stats() {
      const out = { pending: 0, delivered: 0, failed: 0 };
      for (const r of d.sql('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status').all() as { status: keyof typeof out; n: number }[]) {
        out[r.status] = r.n;
      }
      return out;
    },

    startWorker(handler, opts) {
      const worker = new LeasedWorker<DeliveryRecord>({
        concurrency: opts.concurrency,
        pollMs: d.opts.pollMs ?? 250,
        leaseMs,
        idOf: (x) => x.id,
        claim: () => (d.dead ? undefined : claim()),
        heartbeat: (x) => {
          if (d.dead) return 'ok';
          const r = d.sql('UPDATE deliveries SET lease_expires_ms = ? WHERE id = ? AND lease_owner = ?').run(d.now() + leaseMs, x.id, d.owner);
          return r.changes > 0 ? 'ok' : 'lost';
        },
        onError,
        async run(delivery, controller) {
          const attemptNo = delivery.attempts.length + 1;
          const started = d.now();
          let result: Awaited<ReturnType<typeof handler>>;
          try {
            result = await handler(delivery, { signal: controller.signal, attempt: attemptNo });
          } catch (err) {
            result = { ok: false, retry: true, status_code: null, error: err instanceof Error ? err.message : String(err), duration_ms: d.now() - started };
          }
          if (d.dead || controller.signal.reason === 'lease_lost') return;
          if (controller.signal.reason === 'shutdown' && !result.ok) {
            // Interrupted by our own shutdown: not the receiver's failure; release for the next process.
            d.sql('UPDATE deliveries SET lease_owner = NULL, lease_expires_ms = NULL WHERE id = ? AND lease_owner = ?').run(delivery.id, d.owner);
            return;
          }
          const attempt: DeliveryAttempt = {
            at_ms: started,
            status_code: result.status_code,
            error: result.ok ? null : result.error,
            duration_ms: result.duration_ms,
          };
          if (result.ok) return record(delivery.id, attempt, { status: 'delivered', at: null });
          if (!result.retry || attemptNo >= d.opts.webhookMaxAttempts) return record(delivery.id, attempt, { status: 'failed', at: null });
          const wait = Math.max(d.opts.webhookBackoffMs(attemptNo), result.retry_after_ms ?? 0);
          record(delivery.id, attempt, { status: 'pending', at: d.now() + wait });
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
  };
}
