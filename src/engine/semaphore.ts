/**
 * A counting semaphore with a FIFO wait list. Written here rather than taken from p-queue or
 * async-sema because a server slot needs two properties those lack: an abort while waiting
 * removes the waiter at once (so the queue depth the autoscaler reads is true), and an abort
 * while running does NOT free the slot; only release() does, after the native compute has
 * really stopped.
 */
export class Semaphore {
  private active = 0;
  private readonly waiters = new Set<{ grant: () => void }>();
  private idleResolvers: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /** Resolves with a release function once a slot is held; rejects with signal.reason if aborted first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.active < this.limit && this.waiters.size === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          resolve(this.releaser());
        },
      };
      const onAbort = () => {
        this.waiters.delete(waiter);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter); // a Set iterates in insertion order: FIFO
    });
  }

  /** Resolves when nothing runs and nothing waits. */
  onIdle(): Promise<void> {
    if (this.active === 0 && this.waiters.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleResolvers.push(resolve));
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return; // idempotent: a double release must not free someone else's slot
      released = true;
      this.active--;
      const next = this.waiters.values().next();
      if (!next.done) {
        this.waiters.delete(next.value);
        next.value.grant();
      } else if (this.active === 0) {
        this.idleResolvers.splice(0).forEach((r) => r());
      }
    };
  }
}
