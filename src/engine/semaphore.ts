/**
 * A counting semaphore with a priority-ordered wait list (FIFO within a priority). Written here rather than taken from p-queue or
 * async-sema because a server slot needs two properties those lack: an abort while waiting
 * removes the waiter at once (so the queue depth the autoscaler reads is true), and an abort
 * while running does NOT free the slot; only release() does, after the native compute has
 * really stopped.
 */
export class Semaphore {
  private active = 0;
  /** Kept sorted: lower priority number first, then arrival order. */
  private waiters: Array<{ grant: () => void; priority: number }> = [];
  private idleResolvers: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Waiters at this priority or more urgent (a lower number). */
  waitingAtOrAbove(priority: number): number {
    return this.waiters.filter((w) => w.priority <= priority).length;
  }

  /**
   * Resolves with a release function once a slot is held; rejects with signal.reason if aborted
   * first. A lower `priority` is served first; equal priorities are served in arrival order.
   * Running work is never pre-empted: priority only orders the wait list.
   */
  acquire(signal?: AbortSignal, priority = 0): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.active < this.limit && this.waiters.length === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        priority,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          resolve(this.releaser());
        },
      };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Insert after every waiter of the same or a more urgent priority: FIFO within a priority.
      const at = this.waiters.findIndex((w) => w.priority > priority);
      if (at === -1) this.waiters.push(waiter);
      else this.waiters.splice(at, 0, waiter);
    });
  }

  /** Resolves when nothing runs and nothing waits. */
  onIdle(): Promise<void> {
    if (this.active === 0 && this.waiters.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleResolvers.push(resolve));
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return; // idempotent: a double release must not free someone else's slot
      released = true;
      this.active--;
      const next = this.waiters.shift();
      if (next) {
        next.grant();
      } else if (this.active === 0) {
        this.idleResolvers.splice(0).forEach((r) => r());
      }
    };
  }
}
