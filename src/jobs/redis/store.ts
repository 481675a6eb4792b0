/**
 * JOBS_BACKEND=redis: the JobStore on Redis and BullMQ, shared by every replica. Any replica
 * accepts a job, any worker runs it, and any replica reads its status, progress and result.
 */
import { Redis } from 'ioredis';
import type { JobStore, JobStoreOptions } from '../types.js';
import { RedisDeliveryQueue } from './deliveries.js';
import { redisKeys } from './keys.js';
import { RedisJobQueue } from './queue.js';
import { createRedisRepository } from './repository.js';
import { RedisJobState } from './state.js';

export interface RedisJobStoreOptions extends JobStoreOptions {
  url: string;
  /** REDIS_PREFIX. */
  prefix: string;
  onError?: (err: unknown) => void;
}

export interface RedisJobStore extends JobStore {
  readonly kind: 'redis';
  /** Tests only: stop as `kill -9` would (locks left to expire, nothing handed back). */
  simulateCrash(): Promise<void>;
}

export async function openRedisJobStore(opts: RedisJobStoreOptions): Promise<RedisJobStore> {
  const onError = opts.onError ?? ((err: unknown) => console.error('job store (redis):', err));
  // BullMQ workers need maxRetriesPerRequest: null (a blocked command must not be retried away).
  const redis = new Redis(opts.url, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', (err) => !state.dead && onError(err));
  await redis.connect();
  const subscriber = redis.duplicate();
  subscriber.on('error', (err) => !state.dead && onError(err));
  const state = new RedisJobState(redis, redisKeys(opts.prefix), opts);
  const deliveries = new RedisDeliveryQueue(state, redis, onError);
  const queue = new RedisJobQueue(state, redis, async (job) => (job.webhook_url ? deliveries.enqueue(job.id) : undefined), onError);
  const jobs = createRedisRepository(state, (job) => queue.enqueue(job), (id) => queue.dequeue(id));
  await subscriber.subscribe(state.keys.cancelChannel);
  subscriber.on('message', (_channel, id: string) => queue.cancelLocal(id));

  let closed = false;
  const shut = async (crash: boolean) => {
    if (closed) return;
    closed = true;
    if (crash) {
      state.dead = true;
      await queue.killWorkers();
      await deliveries.killWorkers();
      subscriber.disconnect();
      redis.disconnect();
      return;
    }
    await Promise.all([queue.queue.close(), deliveries.queue.close()]);
    await subscriber.quit();
    await redis.quit();
  };
  return {
    kind: 'redis',
    jobs,
    queue,
    deliveries,
    close: () => shut(false),
    simulateCrash: () => shut(true),
  };
}
