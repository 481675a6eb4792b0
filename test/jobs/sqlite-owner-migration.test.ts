/**
 * The owner column's migration: a job database written before jobs had owners opens with its
 * rows in the shared keyless scope ('anonymous'), listed there and nowhere else.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { newJobId } from '../../src/jobs/ids.js';
import { MIGRATIONS } from '../../src/jobs/sqlite/schema.js';
import { createSqliteJobStore } from '../../src/jobs/sqlite/store.js';
import { ANONYMOUS_OWNER } from '../../src/jobs/types.js';
import { CONTRACT_OPTIONS } from '../contract/job-store.contract.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

it('puts rows from before the owner column in the anonymous scope', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobs-owner-migration-'));
  dirs.push(dir);
  const file = path.join(dir, 'jobs.db');
  const old = new Database(file);
  const before = MIGRATIONS.findIndex((m) => m.includes('ADD COLUMN owner'));
  expect(before).toBeGreaterThan(0);
  for (const m of MIGRATIONS.slice(0, before)) old.exec(m);
  old.pragma(`user_version = ${before}`);
  const id = newJobId();
  old.prepare(
    `INSERT INTO jobs (id, status, created_at_ms, metadata, params, input, max_attempts, updated_at_ms)
     VALUES (?, 'queued', ?, '{}', ?, ?, 3, ?)`,
  ).run(id, Date.now(), JSON.stringify({ model: 'tiny.en', task: 'transcribe', response_format: 'json' }), JSON.stringify({ kind: 'url', key: `jobs/${id}/input`, url: 'https://example.com/a.wav' }), Date.now());
  old.close();

  const store = createSqliteJobStore({ ...CONTRACT_OPTIONS, file });
  try {
    expect((await store.jobs.get(id))?.owner).toBe(ANONYMOUS_OWNER);
    expect((await store.jobs.list({ owner: ANONYMOUS_OWNER, limit: 10 })).data.map((j) => j.id)).toEqual([id]);
    expect((await store.jobs.list({ owner: 'a-key-digest', limit: 10 })).data).toEqual([]);
  } finally {
    await store.close();
  }
});
