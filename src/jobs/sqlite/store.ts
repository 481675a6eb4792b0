/**
 * The embedded JobStore: SQLite in `${DATA_DIR}/jobs.db` (JOBS_BACKEND=sqlite, the default).
 * Several instances may open the same file (a restart overlapping the old process, the
 * contract tests' second "process"); leases keep them from running a job twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobStore, JobStoreOptions } from '../types.js';
import { createSqliteDeliveries } from './deliveries.js';
import { JobDb } from './job-db.js';
import { createSqliteQueue } from './queue.js';
import { createSqliteIntents } from './intents.js';
import { createSqliteRepository } from './repository.js';
import { openJobDatabase } from './schema.js';

export interface SqliteJobStoreOptions extends JobStoreOptions {
  /** The database file; its directory is created. */
  file: string;
  onError?: (err: unknown) => void;
}

export interface SqliteJobStore extends JobStore {
  /** Tests only: stop as `kill -9` would (no lease released, nothing recorded), then drop the connection. */
  simulateCrash(): void;
}

export function createSqliteJobStore(opts: SqliteJobStoreOptions): SqliteJobStore {
  fs.mkdirSync(path.dirname(opts.file), { recursive: true });
  const d = new JobDb(openJobDatabase(opts.file), opts);
  const onError = opts.onError ?? ((err: unknown) => console.error('job store:', err));
  const queue = createSqliteQueue(d, onError);
  const deliveries = createSqliteDeliveries(d, onError);
  const jobs = createSqliteRepository(d, () => queue.nudge());
  let closed = false;
  return {
    kind: 'sqlite',
    jobs,
    queue,
    deliveries,
    intents: createSqliteIntents(d),
    async close() {
      if (closed) return;
      closed = true;
      d.dead = true;
      for (const w of [...queue.workers, ...deliveries.workers]) await w.stop('shutdown', false);
      d.db.close();
    },
    simulateCrash() {
      if (closed) return;
      closed = true;
      d.dead = true;
      for (const w of [...queue.workers, ...deliveries.workers]) w.freeze();
      d.db.close();
    },
  };
}
