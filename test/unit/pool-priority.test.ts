import { describe, expect, it, vi } from 'vitest';
import { createModelPool } from '../../src/engine/pool.js';
import { Semaphore } from '../../src/engine/semaphore.js';
import type { Engine, LoadedModel, Priority } from '../../src/engine/types.js';

const engine: Engine = {
  async loadModel(path, { name }) {
    const model: LoadedModel = {
      info: { name, path, multilingual: false, sizeBytes: 1 },
      transcribe: async () => ({ task: 'transcribe', language: 'en', duration: 0, text: '', segments: [] }),
      free: async () => {},
    };
    return model;
  },
};

function gate() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { release, done };
}

describe('semaphore priority', () => {
  it('serves a lower priority number first and keeps FIFO within a priority', async () => {
    const sem = new Semaphore(1);
    const first = await sem.acquire();
    const order: string[] = [];
    const wait = (name: string, p: number) => sem.acquire(undefined, p).then((release) => (order.push(name), release()));
    const all = [wait('batch-1', 2), wait('sync-1', 1), wait('batch-2', 2), wait('live-1', 0), wait('sync-2', 1)];
    expect(sem.waitingAtOrAbove(1)).toBe(3);
    first();
    await Promise.all(all);
    expect(order).toEqual(['live-1', 'sync-1', 'sync-2', 'batch-1', 'batch-2']);
  });
});

describe('model pool priority', () => {
  it('starts live, then interactive, then batch work, and a batch backlog never fills the interactive queue', async () => {
    const pool = createModelPool({ engine, resolve: (n) => ({ name: n, path: `/m/${n}`, multilingual: false, sizeBytes: 1 }), concurrency: 1, maxQueue: 2 });
    const hold = gate();
    const started: string[] = [];
    const job = (name: string, priority: Priority) =>
      pool.withModel('tiny', undefined, async () => void started.push(name), { priority });
    const running = pool.withModel('tiny', undefined, () => hold.done);
    await vi.waitFor(() => expect(pool.stats()[0].inFlight).toBe(1));
    const batch = [job('batch-1', 'batch'), job('batch-2', 'batch')];
    // Two batch waiters already fill maxQueue=2 in total, but not at interactive priority.
    const sync = job('sync-1', 'interactive');
    const live = job('live-1', 'live');
    // A third batch waiter is over the bound for its own priority.
    await expect(job('batch-3', 'batch')).rejects.toMatchObject({ status: 429, code: 'queue_full' });
    hold.release();
    await Promise.all([running, ...batch, sync, live]);
    expect(started).toEqual(['live-1', 'sync-1', 'batch-1', 'batch-2']);
    await pool.close();
  });
});
