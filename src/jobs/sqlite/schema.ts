/**
 * The embedded job database: one SQLite file under DATA_DIR, in WAL mode so the API and the
 * workers (and a second process during a restart) read while one writes. synchronous=NORMAL in
 * WAL keeps every committed transaction across a process crash (kill -9); only a power loss can
 * drop the last ones.
 */
import Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     started_at_ms INTEGER,
     completed_at_ms INTEGER,
     progress REAL NOT NULL DEFAULT 0,
     audio_seconds REAL,
     error TEXT,
     metadata TEXT NOT NULL,
     params TEXT NOT NULL,
     input TEXT NOT NULL,
     result TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     max_attempts INTEGER NOT NULL,
     webhook_url TEXT,
     idempotency_key TEXT UNIQUE,
     cancel_requested INTEGER NOT NULL DEFAULT 0,
     run_after_ms INTEGER NOT NULL DEFAULT 0,
     lease_owner TEXT,
     lease_expires_ms INTEGER,
     updated_at_ms INTEGER NOT NULL
   );
   CREATE INDEX jobs_by_status ON jobs (status, id);
   CREATE TABLE deliveries (
     id TEXT PRIMARY KEY,
     job_id TEXT NOT NULL,
     event TEXT NOT NULL,
     url TEXT NOT NULL,
     payload TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts TEXT NOT NULL DEFAULT '[]',
     next_attempt_ms INTEGER,
     lease_owner TEXT,
     lease_expires_ms INTEGER,
     created_at_ms INTEGER NOT NULL
   );
   CREATE INDEX deliveries_due ON deliveries (status, next_attempt_ms);
   CREATE INDEX deliveries_by_job ON deliveries (job_id);`,
  // Submits in flight (SubmitIntents): the input blob is written before the job row exists.
  `CREATE TABLE submit_intents (id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL);`,
  // Jobs are scoped to the API key that submitted them; older rows join the shared keyless scope.
  `ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT 'anonymous';
   CREATE INDEX jobs_by_owner ON jobs (owner, id);`,
];

export function openJobDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Two processes share the file during a rolling restart; wait for a writer rather than fail.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = OFF');
  migrate(db);
  return db;
}

function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
