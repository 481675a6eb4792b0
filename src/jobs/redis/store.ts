/**
 * JOBS_BACKEND=redis: the JobStore on Redis and BullMQ, shared by every replica. Any replica
 * accepts a job, any worker runs it, and any replica reads its status, progress and result.
 */
import { Redis } from 'ioredis';
import type { JobStore, JobStoreOptions } from '../types.js';
import { RedisDeliveryQueue } from './deliveries.js';
import { createRedisIntents } from './intents.js';
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
  // Requests (submit, status reads) fail after a few retries when Redis is away, rather than hang;
  // BullMQ workers need maxRetriesPerRequest: null on theirs (a blocked command must not be retried away).
  const redis = new Redis(opts.url, { maxRetriesPerRequest: 3, lazyConnect: true });
  const workerConn = new Redis(opts.url, { maxRetriesPerRequest: null, lazyConnect: true });
  const subscriber = new Redis(opts.url, { lazyConnect: true });
  for (const c of [redis, workerConn, subscriber]) c.on('error', (err) => !state.dead && onError(err));
  await Promise.all([redis.connect(), workerConn.connect(), subscriber.connect()]);
  const state = new RedisJobState(redis, redisKeys(opts.prefix), opts);
  const deliveries = new RedisDeliveryQueue(state, redis, workerConn, onError);
  const queue = new RedisJobQueue(state, redis, workerConn, async (job) => (job.webhook_url ? deliveries.enqueue(job.id) : undefined), onError);
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
      for (const c of [subscriber, workerConn, redis]) c.disconnect();
      return;
    }
    await Promise.all([queue.queue.close(), deliveries.queue.close()]);
    for (const c of [subscriber, workerConn, redis]) await c.quit();
  };
  return {
    kind: 'redis',
    jobs,
    queue,
    deliveries,
    intents: createRedisIntents(redis, state.keys.intents, () => state.now()),
    close: () => shut(false),
    simulateCrash: () => shut(true),
  };
}
