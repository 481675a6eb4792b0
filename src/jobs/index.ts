/**
 * Picks the JobStore from config: JOBS_BACKEND=sqlite (the embedded default, DATA_DIR/jobs.db)
 * or redis (BullMQ on REDIS_URL, shared by replicas). Both take the same tunables.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import type { JobStore, JobStoreOptions } from './types.js';

export type JobStoreConfig = Pick<
  Config,
  'JOBS_BACKEND' | 'DATA_DIR' | 'JOB_LEASE_SECONDS' | 'WEBHOOK_MAX_ATTEMPTS' | 'WEBHOOK_RETRY_SCHEDULE_SECONDS' | 'REDIS_URL' | 'REDIS_PREFIX'
>;

/** Wait before retry n (1-based) from the schedule; the last entry repeats. */
export function scheduleBackoff(schedule: readonly number[]): (failedTries: number) => number {
  return (n) => 1000 * (schedule[Math.min(n, schedule.length) - 1] ?? schedule.at(-1) ?? 60);
}

export function jobStoreOptions(config: JobStoreConfig): JobStoreOptions {
  return {
    leaseMs: config.JOB_LEASE_SECONDS * 1000,
    pollMs: Math.min(250, config.JOB_LEASE_SECONDS * 250),
    webhookMaxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    webhookBackoffMs: scheduleBackoff(config.WEBHOOK_RETRY_SCHEDULE_SECONDS),
  };
}

export async function createJobStore(config: JobStoreConfig, onError?: (err: unknown) => void): Promise<JobStore> {
  const opts = jobStoreOptions(config);
  if (config.JOBS_BACKEND === 'redis') {
    const { openRedisJobStore } = await import('./redis/store.js');
    return openRedisJobStore({ ...opts, url: config.REDIS_URL!, prefix: config.REDIS_PREFIX, onError });
  }
  const { createSqliteJobStore } = await import('./sqlite/store.js');
  return createSqliteJobStore({ ...opts, file: path.join(config.DATA_DIR, 'jobs.db'), onError });
}
