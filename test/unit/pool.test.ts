import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src/errors.js';
import { MAX_CONCURRENCY, createModelPool, threadShare } from '../../src/engine/pool.js';
import type { Engine, LoadedModel, ModelInfo, PoolEvent } from '../../src/engine/types.js';

const info = (name: string): ModelInfo => ({ name, path: `/models/${name}.bin`, multilingual: false, sizeBytes: 1 });

function fakeEngine(opts: { loadDelayMs?: number; failLoads?: number } = {}) {
  let failLoads = opts.failLoads ?? 0;
  const freed: string[] = [];
  const engine: Engine = {
    async loadModel(_path, { name }) {
      await new Promise((r) => setTimeout(r, opts.loadDelayMs ?? 1));
      if (failLoads-- > 0) throw new Error('disk on fire');
      const model: LoadedModel = {
        info: info(name),
        transcribe: async (pcm) => ({ task: 'transcribe', language: 'en', duration: pcm.length / 16000, text: '', segments: [] }),
        free: async () => void freed.push(name),
      };
      return model;
    },
  };
  return { engine, freed };
}

/** A job that holds its slot until released, and records the signal it was given. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { release, done };
}

const makePool = (over: Partial<Parameters<typeof createModelPool>[0]> = {}) =>
  createModelPool({ engine: fakeEngine().engine, resolve: (n) => (n === 'missing' ? undefined : info(n)), concurrency: 2, maxQueue: 2, ...over });

describe('model pool', () => {
  it('runs at most `concurrency` jobs at once and starts waiting jobs in FIFO order', async () => {
    const pool = makePool();
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const jobs = gates.map((g, i) =>
      pool.withModel('tiny', undefined, async () => {
        started.push(i);
        maxRunning = Math.max(maxRunning, ++running);
        await g.done;
        running--;
        return i;
      }),
    );
    // Only 4 fit (2 running + 2 waiting): the fifth is rejected at once.
    await expect(jobs[4]).rejects.toMatchObject({ status: 429, code: 'queue_full' });
    await vi.waitFor(() => expect(started).toEqual([0, 1]));
    expect(pool.stats()[0]).toMatchObject({ inFlight: 2, queued: 2, rejected: 1 });
    gates[1].release();
    await vi.waitFor(() => expect(started).toEqual([0, 1, 2]));
    gates.forEach((g) => g.release());
    expect(await Promise.all(jobs.slice(0, 4))).toEqual([0, 1, 2, 3]);
    expect(maxRunning).toBe(2);
    expect(pool.stats()[0]).toMatchObject({ inFlight: 0, queued: 0, completed: 4 });
  });

  it('shares the CPU threads work-conservingly: alone gets all, later starters a share, across models', async () => {
    const pool = makePool({ concurrency: 4, cpuThreads: 8 });
    const gates = Array.from({ length: 3 }, gate);
    const threads: number[] = [];
    const start = (model: string, g: ReturnType<typeof gate>) =>
      pool.withModel(model, undefined, async (_m, _s, lease) => {
        threads.push(lease.threads);
        await g.done;
      });
    const a = start('tiny', gates[0]);
    await vi.waitFor(() => expect(threads).toEqual([8]));
    const b = start('base', gates[1]);
    await vi.waitFor(() => expect(threads).toEqual([8, 4]));
    const c = start('tiny', gates[2]);
    await vi.waitFor(() => expect(threads).toEqual([8, 4, 2]));
    gates[0].release();
    gates[1].release();
    await Promise.all([a, b]);
    const d = pool.withModel('tiny', undefined, async (_m, _s, lease) => lease.threads);
    expect(await d).toBe(4); // c still runs: two in flight
    gates[2].release();
    await c;
    expect(await pool.withModel('tiny', undefined, async (_m, _s, lease) => lease.threads)).toBe(8);
  });

  it('threadShare never gives less than one thread', () => {
    expect([threadShare(2, 1), threadShare(2, 2), threadShare(2, 3), threadShare(16, 3), threadShare(1, 0)]).toEqual([2, 1, 1, 5, 1]);
  });

  it('a full queue fails fast with a Retry-After estimate', async () => {
    const pool = makePool({ concurrency: 1, maxQueue: 0 });
    const g = gate();
    const first = pool.withModel('tiny', undefined, () => g.done);
    await vi.waitFor(() => expect(pool.stats()[0].inFlight).toBe(1));
    const err = await pool.withModel('tiny', undefined, async () => 1).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(429);
    expect(err.retryAfter).toBeGreaterThanOrEqual(1);
    g.release();
    await first;
  });

  it('an abort while waiting removes the request from the queue', async () => {
    const pool = makePool({ concurrency: 1 });
    const g = gate();
    const running = pool.withModel('tiny', undefined, () => g.done);
    const ac = new AbortController();
    const fn = vi.fn(async () => 'never');
    const waiting = pool.withModel('tiny', ac.signal, fn);
    await vi.waitFor(() => expect(pool.stats()[0].queued).toBe(1));
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'request_cancelled' });
    expect(pool.stats()[0].queued).toBe(0);
    g.release();
    await running;
    expect(fn).not.toHaveBeenCalled();
  });

  it('an abort while running reaches the job through its signal and frees the slot', async () => {
    const pool = makePool({ concurrency: 1 });
    const ac = new AbortController();
    let started = false;
    const job = pool.withModel('tiny', ac.signal, (_m, signal) =>
      new Promise((_, reject) => {
        started = true;
        signal.addEventListener('abort', () => reject(new Error('stopped')));
      }),
    );
    await vi.waitFor(() => expect(started).toBe(true));
    expect(pool.stats()[0].inFlight).toBe(1);
    ac.abort();
    await expect(job).rejects.toThrow('stopped');
    expect(pool.stats()[0]).toMatchObject({ inFlight: 0, aborted: 1 });
    await expect(pool.withModel('tiny', undefined, async () => 'next')).resolves.toBe('next');
  });

  it('a request cancelled before its model finished loading never runs', async () => {
    const pool = makePool({ engine: fakeEngine({ loadDelayMs: 30 }).engine });
    const ac = new AbortController();
    const fn = vi.fn(async () => 1);
    const job = pool.withModel('tiny', ac.signal, fn);
    ac.abort();
    await expect(job).rejects.toMatchObject({ code: 'request_cancelled' });
    expect(fn).not.toHaveBeenCalled();
    expect(pool.stats()[0].inFlight).toBe(0);
  });

  it('releases the slot when the job throws', async () => {
    const pool = makePool({ concurrency: 1, maxQueue: 0 });
    await expect(pool.withModel('tiny', undefined, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(pool.withModel('tiny', undefined, async () => 'ok')).resolves.toBe('ok');
    expect(pool.stats()[0]).toMatchObject({ failed: 1, completed: 1, inFlight: 0 });
  });

  it('loads a model once for many concurrent requests', async () => {
    const { engine } = fakeEngine({ loadDelayMs: 30 });
    const load = vi.spyOn(engine, 'loadModel');
    const pool = makePool({ engine, concurrency: 4, maxQueue: 8 });
    await Promise.all(Array.from({ length: 6 }, () => pool.withModel('tiny', undefined, async (m) => m.info.name)));
    expect(load).toHaveBeenCalledTimes(1);
    expect(pool.isLoaded('tiny')).toBe(true);
  });

  it('reports an unknown model as model_not_found and a failed load as retryable 503', async () => {
    const events: PoolEvent[] = [];
    const pool = makePool({ engine: fakeEngine({ failLoads: 1 }).engine });
    pool.on((e) => events.push(e));
    await expect(pool.withModel('missing', undefined, async () => 1)).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(pool.load('tiny')).rejects.toMatchObject({ status: 503, code: 'model_unavailable' });
    await expect(pool.load('tiny')).resolves.toBeUndefined();
    expect(events.filter((e) => e.kind === 'load').map((e) => (e as { ok: boolean }).ok)).toEqual([false, true]);
  });

  it('unloads an idle, unpinned model after its TTL and reloads it on demand', async () => {
    const { engine, freed } = fakeEngine();
    const pool = makePool({ engine, idleTtlSeconds: 0.05, pinned: ['tiny'] });
    await pool.withModel('tiny', undefined, async () => 1);
    await pool.withModel('base', undefined, async () => 1);
    await vi.waitFor(() => expect(freed).toEqual(['base']));
    expect(pool.isLoaded('base')).toBe(false);
    expect(pool.isLoaded('tiny')).toBe(true);
    await pool.withModel('base', undefined, async () => 1);
    expect(pool.isLoaded('base')).toBe(true);
  });

  it('close() lets running work finish, refuses new work and frees the models', async () => {
    const { engine, freed } = fakeEngine();
    const pool = makePool({ engine });
    const g = gate();
    const running = pool.withModel('tiny', undefined, () => g.done.then(() => 'finished'));
    await vi.waitFor(() => expect(pool.stats()[0].inFlight).toBe(1));
    const closing = pool.close();
    await expect(pool.withModel('tiny', undefined, async () => 1)).rejects.toMatchObject({ status: 503 });
    g.release();
    await expect(running).resolves.toBe('finished');
    await closing;
    expect(freed).toEqual(['tiny']);
  });

  it('refuses more than MAX_CONCURRENCY concurrent states', () => {
    expect(() => makePool({ concurrency: MAX_CONCURRENCY + 1 })).toThrow(RangeError);
    expect(() => makePool({ concurrency: MAX_CONCURRENCY })).not.toThrow();
  });
});
