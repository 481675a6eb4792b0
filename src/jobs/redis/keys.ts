/**
 * Every Redis key of the Redis JobStore, under one prefix (REDIS_PREFIX). For Redis Cluster
 * (Memorystore cluster, ElastiCache cluster mode) give a hash-tagged prefix such as `{whisper}`:
 * the scripts touch several keys at once, and BullMQ needs the same.
 */
import type { DeliveryStatus, JobStatus } from '../types.js';

export interface RedisKeys {
  /** Hash {doc: JobRecord JSON, v: version} per job. */
  job(id: string): string;
  /** Sorted set of every job id (all scores 0: ordered by id, i.e. by creation). */
  all: string;
  /** The same, per status. */
  status(s: JobStatus): string;
  /** The same, per owner (JobRecord.owner: a key digest or 'anonymous'). */
  owner(owner: string): string;
  /** Hash id → audio seconds of queued and processing jobs (the backlog). */
  backlog: string;
  idempotency(key: string): string;
  /** Hash {doc: DeliveryRecord JSON, v} of a job's terminal webhook. */
  delivery(jobId: string): string;
  /** Sorted sets of job ids per delivery status. */
  deliveryStatus(s: DeliveryStatus): string;
  /** Sorted set of job ids whose submit began (score: ms) and has not ended: SubmitIntents. */
  intents: string;
  /** Pub/sub channel carrying ids of jobs to cancel, to whichever process runs them. */
  cancelChannel: string;
  /** BullMQ's own prefix. */
  bull: string;
}

export function redisKeys(prefix: string): RedisKeys {
  const p = `${prefix}:j`;
  return {
    job: (id) => `${p}:rec:${id}`,
    all: `${p}:all`,
    status: (s) => `${p}:st:${s}`,
    owner: (o) => `${p}:own:${o}`,
    backlog: `${p}:backlog`,
    idempotency: (key) => `${p}:idem:${key}`,
    delivery: (jobId) => `${p}:dlv:${jobId}`,
    deliveryStatus: (s) => `${p}:dst:${s}`,
    intents: `${p}:intents`,
    cancelChannel: `${p}:cancel`,
    bull: `${prefix}:bull`,
  };
}

/** BullMQ queue names. */
export const JOBS_QUEUE = 'transcribe';
export const WEBHOOKS_QUEUE = 'webhooks';
