import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/engine/semaphore.js';

describe('Semaphore', () => {
  it('grants in FIFO order and a double release frees only one slot', async () => {
    const sem = new Semaphore(1);
    const first = await sem.acquire();
    const order: string[] = [];
    const b = sem.acquire().then((r) => (order.push('b'), r));
    const c = sem.acquire().then((r) => (order.push('c'), r));
    expect(sem.waiting).toBe(2);
    first();
    first(); // ignored
    const releaseB = await b;
    expect(sem.running).toBe(1);
    expect(sem.waiting).toBe(1);
    releaseB();
    (await c)();
    expect(order).toEqual(['b', 'c']);
    expect(sem.running).toBe(0);
  });

  it('an aborted waiter leaves the list at once, with the abort reason', async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const ac = new AbortController();
    const waiting = sem.acquire(ac.signal);
    ac.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(sem.waiting).toBe(0);
    held();
    expect(sem.running).toBe(0);
    await sem.onIdle();
  });
});
