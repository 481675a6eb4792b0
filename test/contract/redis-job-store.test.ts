import { openRedisJobStore, type RedisJobStore } from '../../src/jobs/redis/store.js';
import { deletePrefix, requireRedis, TEST_REDIS_URL, uniquePrefix } from '../support/redis.js';
import { describeJobStoreContract } from './job-store.contract.js';

describeJobStoreContract('redis (BullMQ)', async (opts) => {
  await requireRedis();
  const prefix = uniquePrefix('jobs');
  const open = new Set<RedisJobStore>();
  const errors: unknown[] = [];
  return {
    async open() {
      const store = await openRedisJobStore({ ...opts, jobRetryBackoffMs: (n) => 100 * n, url: TEST_REDIS_URL, prefix, onError: (e) => errors.push(e) });
      open.add(store);
      return store;
    },
    async kill(store) {
      open.delete(store as RedisJobStore);
      await (store as RedisJobStore).simulateCrash();
    },
    async cleanup() {
      for (const s of open) await s.close();
      open.clear();
      await deletePrefix(prefix);
      if (errors.length) console.warn('store errors:', errors.splice(0).map((e) => String(e)));
    },
  };
});
