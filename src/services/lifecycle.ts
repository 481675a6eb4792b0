/**
 * Drain state for graceful shutdown. On SIGTERM the server keeps listening, so that /ready can
 * say 503 (the load balancer stops sending) and late requests get a clean 503 draining instead of
 * a refused connection, while the work already accepted runs to completion.
 */
export interface Lifecycle {
  readonly draining: boolean;
  startDrain(): void;
  /** Counts one unit of accepted work; call the returned function exactly when it ends. */
  track(): () => void;
  inFlight(): number;
  /** Resolves true once no work is in flight, false if timeoutMs passes first. */
  idle(timeoutMs: number): Promise<boolean>;
}

export function createLifecycle(): Lifecycle {
  let draining = false;
  let inFlight = 0;
  let waiters: Array<() => void> = [];

  const settle = () => {
    if (inFlight > 0) return;
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  };

  return {
    get draining() {
      return draining;
    },
    startDrain() {
      draining = true;
    },
    track() {
      inFlight++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inFlight--;
        settle();
      };
    },
    inFlight: () => inFlight,
    idle(timeoutMs) {
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== onIdle);
          resolve(false);
        }, timeoutMs);
        const onIdle = () => {
          clearTimeout(timer);
          resolve(true);
        };
        waiters.push(onIdle);
      });
    },
  };
}
