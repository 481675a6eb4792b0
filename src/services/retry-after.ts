import type { PoolStats } from '../engine/types.js';

/**
 * Seconds until a slot is likely free: the jobs ahead of a new request (everything queued plus
 * itself) drain `concurrency` at a time, each holding a slot for about avgJobSeconds.
 * Clamped so a cold pool (no average yet) still says "soon" and a wild average never says "never".
 */
export function retryAfterSeconds(stats: PoolStats | undefined): number {
  if (!stats || stats.avgJobSeconds <= 0) return 1;
  const waves = Math.ceil((stats.queued + 1) / Math.max(1, stats.concurrency));
  return Math.min(600, Math.max(1, Math.ceil(waves * stats.avgJobSeconds)));
}
