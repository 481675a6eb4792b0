/**
 * Job and delivery records in Redis, and the one way to change them: `updateJob(id, change)`
 * reads the record, lets `change` compute the next version (or decline), and writes it with a
 * compare-and-set, retrying when another process wrote first. Terminal transitions go through
 * `terminal()`, which builds the webhook delivery inside the same atomic step.
 */
import type { Redis } from 'ioredis';
import { webhookPayload } from '../public.js';
import {
  ANONYMOUS_OWNER,
  deliveryIdFor,
  eventFor,
  isTerminal,
  type DeliveryRecord,
  type DeliveryStatus,
  type JobRecord,
  type JobStatus,
  type JobStoreOptions,
} from '../types.js';
import type { RedisKeys } from './keys.js';
import { defineScripts, type Scripts } from './scripts.js';

const MAX_CAS_TRIES = 50;
const inBacklog = (s: JobStatus) => s === 'queued' || s === 'processing';
/** Records written before jobs had owners belong to the shared keyless scope. */
const parseJob = (doc: string): JobRecord => ({ owner: ANONYMOUS_OWNER, ...(JSON.parse(doc) as Omit<JobRecord, "owner"> & { owner?: string }) });

export interface Stored<T> {
  doc: T;
  v: string;
}

/** What a change returns: the next record, or undefined to leave it as it is. */
export type JobChange = (job: JobRecord) => JobRecord | undefined;

export class RedisJobState {
  readonly scripts: Scripts;
  /** Set when this "process" was killed (tests): it writes nothing more. */
  dead = false;

  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeys,
    readonly opts: JobStoreOptions,
  ) {
    this.scripts = defineScripts(redis);
  }

  now(): number {
    return (this.opts.now ?? Date.now)();
  }

  async read(id: string): Promise<Stored<JobRecord> | undefined> {
    const [doc, v] = await this.redis.hmget(this.keys.job(id), 'doc', 'v');
    return doc && v ? { doc: parseJob(doc), v } : undefined;
  }

  async readDelivery(jobId: string): Promise<Stored<DeliveryRecord> | undefined> {
    const [doc, v] = await this.redis.hmget(this.keys.delivery(jobId), 'doc', 'v');
    return doc && v ? { doc: JSON.parse(doc) as DeliveryRecord, v } : undefined;
  }

  async readMany(ids: string[]): Promise<JobRecord[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hget(this.keys.job(id), 'doc');
    const res = (await pipe.exec()) ?? [];
    return res.flatMap(([err, doc]) => (!err && typeof doc === 'string' ? [parseJob(doc)] : []));
  }

  /**
   * Applies `change` atomically. Returns the record as written, the record unchanged when the
   * change declined, or undefined when there is no such job (or this process is dead).
   */
  async updateJob(id: string, change: JobChange): Promise<{ job: JobRecord; changed: boolean } | undefined> {
    for (let i = 0; i < MAX_CAS_TRIES; i++) {
      if (this.dead) return undefined;
      const cur = await this.read(id);
      if (!cur) return undefined;
      const next = change(cur.doc);
      if (!next) return { job: cur.doc, changed: false };
      next.updated_at_ms = this.now();
      const delivery = this.deliveryFor(cur.doc, next);
      const k = this.keys;
      const ok = await this.scripts.update(
        [k.job(id), k.status(cur.doc.status), k.status(next.status), k.backlog, k.delivery(id), k.deliveryStatus('pending')],
        [cur.v, JSON.stringify(next), id, inBacklog(next.status) ? String(next.audio_seconds ?? 0) : '', delivery ? JSON.stringify(delivery) : ''],
      );
      if (ok === -1) return undefined;
      if (ok === 1) return { job: next, changed: true };
    }
    throw new Error(`job ${id}: too much write contention`);
  }

  async updateDelivery(jobId: string, change: (d: DeliveryRecord) => DeliveryRecord | undefined): Promise<DeliveryRecord | undefined> {
    for (let i = 0; i < MAX_CAS_TRIES; i++) {
      if (this.dead) return undefined;
      const cur = await this.readDelivery(jobId);
      if (!cur) return undefined;
      const next = change(cur.doc);
      if (!next) return cur.doc;
      const k = this.keys;
      const ok = await this.scripts.updateDelivery(
        [k.delivery(jobId), k.deliveryStatus(cur.doc.status), k.deliveryStatus(next.status)],
        [cur.v, JSON.stringify(next), jobId],
      );
      if (ok === -1) return undefined;
      if (ok === 1) return next;
    }
    throw new Error(`delivery of ${jobId}: too much write contention`);
  }

  /** The terminal version of a job (completed_at set, progress 1 when completed). */
  terminal(job: JobRecord, status: 'completed' | 'failed' | 'cancelled', fields: Partial<JobRecord> = {}): JobRecord {
    return {
      ...job,
      ...fields,
      status,
      completed_at: Math.floor(this.now() / 1000),
      progress: status === 'completed' ? 1 : job.progress,
    };
  }

  /** A terminal transition with a webhook_url creates the job's single delivery, body fixed now. */
  private deliveryFor(prev: JobRecord, next: JobRecord): DeliveryRecord | undefined {
    if (isTerminal(prev.status) || !isTerminal(next.status) || !next.webhook_url) return undefined;
    const event = eventFor(next.status)!;
    const now = this.now();
    return {
      id: deliveryIdFor(next.id),
      job_id: next.id,
      event,
      url: next.webhook_url,
      payload: webhookPayload(next, event, now),
      status: 'pending',
      attempts: [],
      next_attempt_at_ms: now,
      created_at_ms: now,
    };
  }

  async count(status: JobStatus): Promise<number> {
    return this.redis.zcard(this.keys.status(status));
  }

  async deliveryCount(status: DeliveryStatus): Promise<number> {
    return this.redis.zcard(this.keys.deliveryStatus(status));
  }
}
