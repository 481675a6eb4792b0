/**
 * The SQLite store's shared core: the connection, the clock, this process's lease owner id, and
 * the one terminal transition every path goes through. Terminal = compare-and-set on a
 * non-terminal status (plus the caller's guard), and, in the same transaction, the job's single
 * webhook delivery row: a crash can never leave a finished job without its webhook.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { webhookPayload } from '../public.js';
import { deliveryIdFor, eventFor, type JobErrorBody, type JobRecord, type JobResultRef, type JobStoreOptions } from '../types.js';
import { toJob, type JobRow } from './rows.js';

export type TerminalStatus = 'completed' | 'failed' | 'cancelled';

export interface FinishFields {
  error?: JobErrorBody | null;
  result?: JobResultRef | null;
  audio_seconds?: number | null;
}

export class JobDb {
  readonly owner = `${process.pid}-${randomUUID()}`;
  readonly now: () => number;
  private readonly stmts = new Map<string, Database.Statement>();
  dead = false;

  constructor(readonly db: Database.Database, readonly opts: JobStoreOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Cached prepared statement. */
  sql(text: string): Database.Statement {
    let s = this.stmts.get(text);
    if (!s) this.stmts.set(text, (s = this.db.prepare(text)));
    return s;
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  getRow(id: string): JobRow | undefined {
    return this.sql('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  /**
   * Ends a job unless it already ended. `guard` narrows the CAS (e.g. `AND lease_owner = @owner`).
   * Returns the new record when this call made the transition.
   */
  finish(id: string, to: TerminalStatus, fields: FinishFields = {}, guard = ''): JobRecord | undefined {
    return this.tx(() => {
      const now = this.now();
      const row = this.sql(
        `UPDATE jobs SET status = @to, completed_at_ms = @now, updated_at_ms = @now,
           lease_owner = NULL, lease_expires_ms = NULL,
           error = @error, result = @result,
           progress = CASE WHEN @to = 'completed' THEN 1 ELSE progress END,
           audio_seconds = COALESCE(@audio, audio_seconds)
         WHERE id = @id AND status IN ('queued', 'processing') ${guard}
         RETURNING *`,
      ).get({
        id,
        to,
        now,
        owner: this.owner,
        error: fields.error ? JSON.stringify(fields.error) : null,
        result: fields.result ? JSON.stringify(fields.result) : null,
        audio: fields.audio_seconds ?? null,
      }) as JobRow | undefined;
      if (!row) return undefined;
      const job = toJob(row);
      const event = eventFor(job.status);
      if (job.webhook_url && event) {
        this.sql(
          `INSERT OR IGNORE INTO deliveries (id, job_id, event, url, payload, status, attempts, next_attempt_ms, created_at_ms)
           VALUES (?, ?, ?, ?, ?, 'pending', '[]', ?, ?)`,
        ).run(deliveryIdFor(job.id), job.id, event, job.webhook_url, webhookPayload(job, event, now), now, now);
      }
      return job;
    });
  }
}
