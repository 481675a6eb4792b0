/** JobRepository over SQLite: records, idempotency keys, cursor pages, purge, stats. */
import { JOB_STATUSES, type JobRepository, type JobStatus } from '../types.js';
import type { JobDb } from './job-db.js';
import { toJob, type JobRow } from './rows.js';

export function createSqliteRepository(d: JobDb, onCreated: () => void): JobRepository {
  return {
    async create(init) {
      const result = d.tx(() => {
        if (init.idempotency_key !== null) {
          const existing = d.sql('SELECT * FROM jobs WHERE idempotency_key = ?').get(init.idempotency_key) as JobRow | undefined;
          if (existing) return { job: toJob(existing), created: false };
        }
        const now = d.now();
        const row = d.sql(
          `INSERT INTO jobs (id, status, created_at_ms, audio_seconds, metadata, params, input, max_attempts,
             webhook_url, idempotency_key, owner, updated_at_ms)
           VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        ).get(
          init.id, now, init.audio_seconds, JSON.stringify(init.metadata), JSON.stringify(init.params),
          JSON.stringify(init.input), init.max_attempts, init.webhook_url, init.idempotency_key, init.owner, now,
        ) as JobRow;
        return { job: toJob(row), created: true };
      });
      if (result.created) onCreated();
      return result;
    },

    async get(id) {
      const row = d.getRow(id);
      return row ? toJob(row) : undefined;
    },

    async list({ owner, limit, after, status }) {
      // A cursor must be one of the owner's jobs: another owner's id gives an empty page, as an unknown one.
      if (after !== undefined && !d.sql('SELECT 1 FROM jobs WHERE id = ? AND owner = ?').get(after, owner)) return { data: [], has_more: false };
      // Ids are time-ordered, so "after" in a newest-first listing means a smaller id.
      const rows = d.sql(
        `SELECT * FROM jobs WHERE owner = @owner AND (@after IS NULL OR id < @after) AND (@status IS NULL OR status = @status)
         ORDER BY id DESC LIMIT @n`,
      ).all({ owner, after: after ?? null, status: status ?? null, n: limit + 1 }) as JobRow[];
      return { data: rows.slice(0, limit).map(toJob), has_more: rows.length > limit };
    },

    async delete(id) {
      return d.tx(() => {
        d.sql('DELETE FROM deliveries WHERE job_id = ?').run(id);
        return d.sql('DELETE FROM jobs WHERE id = ?').run(id).changes > 0;
      });
    },

    async purgeTerminal(beforeUnixSeconds) {
      return d.tx(() => {
        const rows = d.sql(
          `DELETE FROM jobs WHERE status IN ('completed', 'failed', 'cancelled') AND completed_at_ms < ? RETURNING id`,
        ).all(Math.floor(beforeUnixSeconds * 1000)) as { id: string }[];
        const del = d.sql('DELETE FROM deliveries WHERE job_id = ?');
        for (const r of rows) del.run(r.id);
        return rows.map((r) => r.id);
      });
    },

    async stats() {
      const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
      const rows = d.sql('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as { status: JobStatus; n: number }[];
      for (const r of rows) counts[r.status] = r.n;
      const backlog = d.sql(
        `SELECT COALESCE(SUM(audio_seconds), 0) AS s FROM jobs WHERE status IN ('queued', 'processing')`,
      ).get() as { s: number };
      return { counts, backlog_audio_seconds: backlog.s };
    },
  };
}
