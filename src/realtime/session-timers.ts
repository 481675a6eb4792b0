/** A session's two clocks: idle (no client event for a while) and its maximum duration. */
export class SessionTimers {
  private idle?: NodeJS.Timeout;
  private max?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly idleMs: number,
    private readonly onIdle: () => void,
  ) {}

  /** Starts the maximum-duration clock and the idle clock. */
  start(maxMs: number, onExpired: () => void): void {
    this.max = setTimeout(onExpired, maxMs);
    this.max.unref();
    this.touch();
  }

  /** A client event: the idle clock starts over. */
  touch(): void {
    clearTimeout(this.idle);
    if (this.stopped) return;
    this.idle = setTimeout(this.onIdle, this.idleMs);
    this.idle.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.idle);
    clearTimeout(this.max);
  }
}
