/**
 * SubmitIntents on Redis: one sorted set, member = job id, score = when its submit began (ms).
 * Every replica's orphan sweep reads the same set, so an input blob left in S3 by a replica that
 * died mid-submit is removed by whichever replica sweeps next.
 */
import type { Redis } from 'ioredis';
import type { SubmitIntents } from '../types.js';

export function createRedisIntents(redis: Redis, key: string, now: () => number): SubmitIntents {
  return {
    async begin(id) {
      await redis.zadd(key, now(), id);
    },
    async end(id) {
      await redis.zrem(key, id);
    },
    async stale(beforeMs) {
      // Exclusive bound, as the SQLite store's `created_at_ms < ?`.
      return redis.zrangebyscore(key, '-inf', `(${beforeMs}`);
    },
  };
}
