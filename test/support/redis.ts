/**
 * The local Redis the CI starts (.ci/run: redis-server on 127.0.0.1:6379, or REDIS_URL). Each test
 * run takes its own key prefix and removes its keys afterwards; a missing server fails the test.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const uniquePrefix = (what: string) => `test-${what}-${process.pid}-${randomBytes(4).toString('hex')}`;

/** Deletes every key under a prefix (SCAN, never KEYS). */
export async function deletePrefix(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}

/** Fails with a clear message when no Redis answers (the CI starts one). */
export async function requireRedis(url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`No Redis at ${url} (.ci/run starts redis-server): ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
