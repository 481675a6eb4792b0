/** The JobStore contract against the embedded SQLite store, each "process" its own connection. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSqliteJobStore, type SqliteJobStore } from '../../src/jobs/sqlite/store.js';
import { describeJobStoreContract } from '../contract/job-store.contract.js';

describeJobStoreContract('sqlite', async (opts) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobs-sqlite-'));
  const open: SqliteJobStore[] = [];
  return {
    async open() {
      const s = createSqliteJobStore({ ...opts, file: path.join(dir, 'jobs.db') });
      open.push(s);
      return s;
    },
    async kill(store) {
      (store as SqliteJobStore).simulateCrash();
    },
    async cleanup() {
      for (const s of open) await s.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
});
