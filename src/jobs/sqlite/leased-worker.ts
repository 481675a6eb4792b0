/**
 * The loop both SQLite workers (jobs, webhook deliveries) share: claim up to `concurrency`
 * items, run each with an AbortSignal, renew its lease every third of the lease while it runs,
 * and abort it when the renewal says the lease is gone or a cancel was asked. Polls when idle;
 * nudge() wakes it at once (a job created in this process).
 */
export type HeartbeatVerdict = 'ok' | 'lost' | 'cancelled';

export interface LeasedWorkerSpec<T> {
  concurrency: number;
  pollMs: number;
  leaseMs: number;
  idOf(item: T): string;
  /** Takes one due item and leases it to this worker, or returns undefined. */
  claim(): T | undefined;
  heartbeat(item: T): HeartbeatVerdict;
  /** Runs the item and records its outcome; never rejects. */
  run(item: T, controller: AbortController): Promise<void>;
  onError(err: unknown): void;
}

export class LeasedWorker<T> {
  private readonly running = new Map<string, { controller: AbortController; beat: NodeJS.Timeout; done: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private frozen = false;
  private pumping = false;

  constructor(private readonly spec: LeasedWorkerSpec<T>) {
    queueMicrotask(() => this.pump());
  }

  /** Wake the loop now (new work was written by this process). */
  nudge(): void {
    if (!this.stopped) queueMicrotask(() => this.pump());
  }

  /** The controller of an item this worker runs (in-process cancel). */
  controllerOf(id: string): AbortController | undefined {
    return this.running.get(id)?.controller;
  }

  /** Resolves once the item (if this worker runs it) has settled and recorded its outcome. */
  settled(id: string): Promise<void> | undefined {
    return this.running.get(id)?.done;
  }

  /**
   * Stops claiming; aborts what runs with `reason` and waits (bounded: a handler that ignores its
   * signal must not hang shutdown) for it to settle, unless `wait` is false or the worker is frozen.
   */
  async stop(reason: unknown, wait = true, maxWaitMs = 10_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.frozen) return;
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort(reason);
    if (!wait || all.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(all.map((r) => r.done)),
      new Promise((resolve) => (timer = setTimeout(resolve, maxWaitMs))),
    ]);
    clearTimeout(timer);
  }

  /** kill -9 in tests: every timer stops, nothing is aborted or recorded. */
  freeze(): void {
    this.stopped = true;
    this.frozen = true;
    clearTimeout(this.timer);
    for (const r of this.running.values()) clearInterval(r.beat);
  }

  private pump(): void {
    if (this.stopped || this.pumping) return;
    this.pumping = true;
    try {
      while (this.running.size < this.spec.concurrency) {
        const item = this.spec.claim();
        if (item === undefined) break;
        this.start(item);
      }
    } catch (err) {
      this.spec.onError(err);
    } finally {
      this.pumping = false;
    }
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => this.pump(), this.spec.pollMs);
  }

  private start(item: T): void {
    const id = this.spec.idOf(item);
    const controller = new AbortController();
    const beat = setInterval(() => {
      if (this.stopped || controller.signal.aborted) return;
      try {
        const verdict = this.spec.heartbeat(item);
        if (verdict !== 'ok') controller.abort(verdict === 'lost' ? 'lease_lost' : 'cancelled');
      } catch (err) {
        this.spec.onError(err);
      }
    }, Math.max(10, Math.floor(this.spec.leaseMs / 3)));
    const entry = { controller, beat, done: Promise.resolve() };
    entry.done = this.spec
      .run(item, controller)
      .catch((err) => this.spec.onError(err))
      .finally(() => {
        clearInterval(beat);
        this.running.delete(id);
        this.nudge();
      });
    this.running.set(id, entry);
  }
}
