/**
 * JobRepository over Redis: a record hash per job, lexicographic sorted sets (ids sort by
 * creation) for newest-first pages and status filters, and SET NX for idempotency keys.
 * `create` writes the record, then adds the BullMQ job (`enqueue`); a crash between the two
 * leaves a queued record that the next worker start re-enqueues (see queue.ts, reconcile).
 */
import { JOB_STATUSES, TERMINAL_STATUSES, type JobRecord, type JobRepository, type JobStatus, type NewJob } from '../types.js';
import type { RedisJobState } from './state.js';

export function createRedisRepository(s: RedisJobState, enqueue: (job: JobRecord) => Promise<void>, dequeue: (id: string) => Promise<void>): JobRepository {
  const k = s.keys;

  const build = (init: NewJob): JobRecord => {
    const now = s.now();
    return {
      id: init.id,
      object: 'audio.job',
      status: 'queued',
      created_at: Math.floor(now / 1000),
      started_at: null,
      completed_at: null,
      model: init.params.model,
      task: init.params.task,
      response_format: init.params.response_format,
      progress: 0,
      audio_seconds: init.audio_seconds,
      error: null,
      metadata: init.metadata,
      owner: init.owner,
      params: init.params,
      input: init.input,
      result: null,
      attempts: 0,
      max_attempts: init.max_attempts,
      webhook_url: init.webhook_url,
      idempotency_key: init.idempotency_key,
      cancel_requested: false,
      updated_at_ms: now,
    };
  };

  const remove = async (job: JobRecord): Promise<boolean> => {
    const idem = job.idempotency_key ? k.idempotency(job.idempotency_key) : k.idempotency('');
    const removed = await s.scripts.remove(
      [k.job(job.id), k.all, ...JOB_STATUSES.map(k.status), k.backlog, k.delivery(job.id),
        k.deliveryStatus('pending'), k.deliveryStatus('delivered'), k.deliveryStatus('failed'), idem, k.owner(job.owner)],
      [job.id],
    );
    await dequeue(job.id);
    return removed === 1;
  };

  /** Up to `want` of an owner's ids (newest first, after `after`) whose status is `status`: the owner's set, filtered in batches. */
  const ownedWithStatus = async (mine: string, status: JobStatus, after: string | undefined, want: number): Promise<string[]> => {
    const found: string[] = [];
    const batch = Math.max(100, want * 4);
    let max = after === undefined ? '+' : `(${after}`;
    for (;;) {
      const ids = await s.redis.zrevrangebylex(mine, max, '-', 'LIMIT', 0, batch);
      if (ids.length === 0) return found;
      const scores = await s.redis.zmscore(k.status(status), ...ids);
      for (const [i, id] of ids.entries()) if (scores[i] !== null && found.length < want) found.push(id);
      if (found.length >= want || ids.length < batch) return found;
      max = `(${ids.at(-1)!}`;
    }
  };

  return {
    async create(init) {
      if (init.idempotency_key) {
        const claimed = await s.redis.set(k.idempotency(init.idempotency_key), init.id, 'NX');
        if (claimed !== 'OK') {
          const existingId = await s.redis.get(k.idempotency(init.idempotency_key));
          const existing = existingId ? await s.read(existingId) : undefined;
          if (existing) return { job: existing.doc, created: false };
          // The key outlived its job (a crash between the two writes, or a purge race): take it over.
          await s.redis.set(k.idempotency(init.idempotency_key), init.id);
        }
      }
      const job = build(init);
      const created = await s.scripts.create([k.job(job.id), k.all, k.status('queued'), k.backlog, k.owner(job.owner)], [JSON.stringify(job), job.id, String(job.audio_seconds ?? 0)]);
      if (created !== 1) throw new Error(`job ${job.id} already exists`);
      await enqueue(job);
      return { job, created: true };
    },

    async get(id) {
      return (await s.read(id))?.doc;
    },

    async list({ owner, limit, after, status }) {
      const mine = k.owner(owner);
      // A cursor must be one of the owner's jobs: another owner's id gives an empty page, as an unknown one.
      if (after !== undefined && (await s.redis.zscore(mine, after)) === null) return { data: [], has_more: false };
      const ids = status ? await ownedWithStatus(mine, status, after, limit + 1) : await s.redis.zrevrangebylex(mine, after === undefined ? '+' : `(${after}`, '-', 'LIMIT', 0, limit + 1);
      const data = await s.readMany(ids.slice(0, limit));
      return { data, has_more: ids.length > limit };
    },

    async delete(id) {
      const cur = await s.read(id);
      if (!cur) return false;
      return remove(cur.doc);
    },

    async purgeTerminal(beforeUnixSeconds) {
      const purged: string[] = [];
      for (const status of TERMINAL_STATUSES) {
        const ids = await s.redis.zrange(k.status(status), 0, -1);
        for (const job of await s.readMany(ids)) {
          if (job.completed_at !== null && job.completed_at < beforeUnixSeconds && (await remove(job))) purged.push(job.id);
        }
      }
      return purged.sort();
    },

    async stats() {
      const counts = Object.fromEntries(
        await Promise.all(JOB_STATUSES.map(async (st) => [st, await s.count(st)] as const)),
      ) as Record<JobStatus, number>;
      const seconds = await s.redis.hvals(k.backlog);
      return { counts, backlog_audio_seconds: seconds.reduce((sum, x) => sum + Number(x), 0) };
    },
  };
}
