/** SubmitIntents over SQLite: one row per submit between its first blob write and its job row. */
import type { SubmitIntents } from '../types.js';
import type { JobDb } from './job-db.js';

export function createSqliteIntents(d: JobDb): SubmitIntents {
  return {
    async begin(id) {
      d.sql('INSERT OR REPLACE INTO submit_intents (id, created_at_ms) VALUES (?, ?)').run(id, d.now());
    },
    async end(id) {
      d.sql('DELETE FROM submit_intents WHERE id = ?').run(id);
    },
    async stale(beforeMs) {
      const rows = d.sql('SELECT id FROM submit_intents WHERE created_at_ms < ? ORDER BY id').all(beforeMs) as { id: string }[];
      return rows.map((r) => r.id);
    },
  };
}
