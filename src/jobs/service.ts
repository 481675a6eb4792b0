/**
 * The async jobs service: submit, read, list, cancel, delete, and the workers that run jobs and
 * deliver their webhooks. Knows nothing of HTTP: routes hand it validated fields and a spooled
 * file, it hands back public job objects and throws ApiErrors from the catalogue.
 * The input is written to the BlobStore before the job exists (state before action); the job
 * then runs through the same transcription service as a synchronous request, at batch priority.
 */
import { createReadStream } from 'node:fs';
import { errors } from '../errors.js';
import { OutboundError } from '../net/errors.js';
import type { GuardedClient } from '../net/guarded-client.js';
import type { TranscriptionService } from '../services/transcription.js';
import type { BlobStore } from '../storage/blob-store.js';
import { checkS3Input, isS3Url, type S3InputOptions } from '../storage/s3-input.js';
import { createDeliverer } from '../webhooks/deliver.js';
import type { Signer } from '../webhooks/sign.js';
import { inputKey, isJobId, jobKeyPrefix, newJobId } from './ids.js';
import { toPublicJob, type PublicJob } from './public.js';
import { ANONYMOUS_OWNER, isTerminal, type DeliveryResult, type JobParams, type JobStats, type JobStatus, type JobStore, type RunningWorker } from './types.js';
import { createJobHandler } from './worker.js';
import type { ProbeDuration } from './probe.js';

/** A submit intent older than this, with no job, is a crash mid-submit: its blobs are removed. */
export const ORPHAN_AGE_MS = 15 * 60_000;

export type JobSource =
  | { kind: 'upload'; path: string; size: number; filename: string }
  | { kind: 'url'; url: string };

export interface SubmitRequest {
  params: JobParams;
  source: JobSource;
  webhookUrl?: string;
  metadata?: Record<string, string>;
  idempotencyKey?: string;
  /**
   * Who submits (a digest of the API key, when keys are configured): the job's owner, the only
   * principal that can read, list, cancel or delete it; Idempotency-Key is unique per principal too,
   * so two clients' keys never collide. Absent: the shared keyless scope.
   */
  principal?: string;
}

/** A caller of the read/cancel/delete methods: undefined is the shared keyless scope. */
export type Principal = string | undefined;
const ownerOf = (principal: Principal) => principal ?? ANONYMOUS_OWNER;

export interface JobsServiceDeps {
  store: JobStore;
  blobs: BlobStore;
  transcription: TranscriptionService;
  client: GuardedClient;
  /** s3:// audio_url: the server's S3 client (STORAGE=s3 only) and S3_INPUT_BUCKETS; absent: s3:// is refused. */
  s3?: Pick<S3InputOptions, 'client' | 'allowedBuckets'>;
  /** Absent when no WEBHOOK_SECRET is configured: webhook_url is then refused. */
  signer?: Signer;
  limits: {
    maxUploadBytes: number;
    maxAudioSeconds: number;
    maxAttempts: number;
    retentionHours: number;
    concurrency: number;
    webhookTimeoutMs: number;
  };
  /** Refuses at submit what the worker would refuse (an unknown model): throws an ApiError. */
  validate?: (params: JobParams) => void;
  /** Reads an upload's duration at submit (refusing non-audio and over-long files); absent: known once decoded. */
  probe?: ProbeDuration;
  /** Age after which an unfinished submit's blobs count as orphans; default ORPHAN_AGE_MS. */
  orphanAgeMs?: number;
  /** Start job and delivery workers in this process (ROLE=all|worker). */
  runWorkers: boolean;
  onWebhookFailure?: (result: Extract<DeliveryResult, { ok: false }>) => void;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface JobList {
  object: 'list';
  data: PublicJob[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export function createJobsService(deps: JobsServiceDeps) {
  const { store, blobs } = deps;
  const workers: RunningWorker[] = [];
  let purgeTimer: NodeJS.Timeout | undefined;

  // Another owner's job is "not found", exactly as an unknown id: its existence is not revealed.
  const find = async (id: string, principal: Principal) => {
    const job = isJobId(id) ? await store.jobs.get(id) : undefined;
    if (!job || job.owner !== ownerOf(principal)) throw errors.jobNotFound(id);
    return job;
  };
  const publicWithHistory = async (id: string, principal: Principal) => {
    const job = await find(id, principal);
    return toPublicJob(job, job.webhook_url ? await store.deliveries.listForJob(id) : undefined);
  };

  async function checkUrl(param: 'audio_url' | 'webhook_url', url: string) {
    try {
      await deps.client.check(url);
    } catch (err) {
      if (err instanceof OutboundError) throw errors.invalidUrl(param, `${param}: ${err.message}`, err.code);
      throw err;
    }
  }

  /** An s3:// input is checked by HEAD (allow-list, existence, access, size), anything else by the guarded client. */
  async function checkAudioUrl(url: string) {
    if (!isS3Url(url)) return checkUrl('audio_url', url);
    await checkS3Input(url, { client: deps.s3?.client, allowedBuckets: deps.s3?.allowedBuckets ?? [], maxBytes: deps.limits.maxUploadBytes });
  }

  /** Retention, and the blobs of submits that crashed between writing the input and creating the job. */
  async function purge(): Promise<{ purged: number; orphans: number }> {
    const cutoff = Date.now() / 1000 - deps.limits.retentionHours * 3600;
    const purged = await store.jobs.purgeTerminal(cutoff);
    for (const id of purged) await blobs.deletePrefix(jobKeyPrefix(id));
    let orphans = 0;
    for (const id of (await store.intents?.stale(Date.now() - (deps.orphanAgeMs ?? ORPHAN_AGE_MS))) ?? []) {
      if (!(await store.jobs.get(id))) {
        await blobs.deletePrefix(jobKeyPrefix(id));
        orphans++;
      }
      await store.intents!.end(id);
    }
    return { purged: purged.length, orphans };
  }

  /** The upload's duration, refusing what the worker would refuse; null when unknown. */
  async function probeUpload(source: JobSource): Promise<number | null> {
    if (source.kind !== 'upload' || !deps.probe) return null;
    const seconds = await deps.probe(source.path);
    if (seconds !== undefined && seconds > deps.limits.maxAudioSeconds + 0.5) throw errors.audioTooLong(seconds, deps.limits.maxAudioSeconds);
    return seconds ?? null;
  }

  return {
    async submit(req: SubmitRequest): Promise<{ job: PublicJob; created: boolean }> {
      deps.validate?.(req.params);
      if (req.webhookUrl) {
        if (!deps.signer) throw errors.webhooksDisabled();
        await checkUrl('webhook_url', req.webhookUrl);
      }
      if (req.source.kind === 'url') await checkAudioUrl(req.source.url);
      const audioSeconds = await probeUpload(req.source);
      const id = newJobId();
      const key = inputKey(id);
      // Written before the blob: a crash from here until the job exists leaves a trace to sweep.
      await store.intents?.begin(id);
      let settled = false;
      try {
        if (req.source.kind === 'upload') {
          await blobs.put(key, createReadStream(req.source.path), { maxBytes: deps.limits.maxUploadBytes });
        }
        const { job, created } = await store.jobs.create({
          id,
          owner: ownerOf(req.principal),
          params: req.params,
          input:
            req.source.kind === 'upload'
              ? { kind: 'upload', key, bytes: req.source.size, filename: req.source.filename }
              : { kind: 'url', key, url: req.source.url },
          metadata: req.metadata ?? {},
          webhook_url: req.webhookUrl ?? null,
          idempotency_key: req.idempotencyKey === undefined ? null : `${ownerOf(req.principal)}/${req.idempotencyKey}`,
          audio_seconds: audioSeconds,
          max_attempts: deps.limits.maxAttempts,
        });
        settled = true;
        // A retried submit: the first one's job stands, this upload is not needed.
        if (!created) await blobs.deletePrefix(jobKeyPrefix(id)).catch(() => (settled = false));
        return { job: toPublicJob(job), created };
      } catch (err) {
        settled = await blobs.deletePrefix(jobKeyPrefix(id)).then(() => true, () => false);
        throw err;
      } finally {
        // Only once nothing of this submit is left unaccounted for; otherwise the sweep finishes it.
        if (settled) await store.intents?.end(id).catch(() => undefined);
      }
    },

    get: publicWithHistory,

    async list(q: { limit: number; after?: string; status?: JobStatus }, principal: Principal): Promise<JobList> {
      const page = await store.jobs.list({ ...q, owner: ownerOf(principal) });
      const data = page.data.map((j) => toPublicJob(j));
      return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: page.has_more };
    },

    /** The stored result: the bytes and content type the synchronous call would have sent. */
    async result(id: string, principal: Principal) {
      const job = await find(id, principal);
      if (job.status !== 'completed' || !job.result) {
        throw errors.jobConflict(`Job '${id}' is ${job.status}; its result is available once it is completed.`, 'job_not_completed');
      }
      const blob = await blobs.get(job.result.key);
      if (!blob) throw errors.jobConflict(`The result of job '${id}' is no longer stored.`, 'job_result_gone');
      return { body: blob.body, contentType: job.result.content_type, bytes: blob.info.bytes };
    },

    async cancel(id: string, principal: Principal): Promise<PublicJob> {
      const before = await find(id, principal);
      if (before.status === 'completed' || before.status === 'failed') {
        throw errors.jobConflict(`Job '${id}' is already ${before.status} and cannot be cancelled.`, 'job_not_cancellable');
      }
      await store.queue.cancel(id);
      return publicWithHistory(id, principal);
    },

    async delete(id: string, principal: Principal) {
      const job = await find(id, principal);
      if (!isTerminal(job.status)) await store.queue.cancel(id);
      await store.jobs.delete(id);
      await blobs.deletePrefix(jobKeyPrefix(id));
      return { id, object: 'audio.job.deleted' as const, deleted: true as const };
    },

    stats: (): Promise<JobStats> => store.jobs.stats(),
    /** Runs retention and the orphan sweep now (they also run at start and on a timer). */
    maintain: purge,
    deliveryStats: () => store.deliveries.stats(),

    start() {
      if (deps.runWorkers) {
        workers.push(
          store.queue.startWorker(
            createJobHandler({
              blobs,
              transcription: deps.transcription,
              client: deps.client,
              s3: deps.s3,
              maxUploadBytes: deps.limits.maxUploadBytes,
              maxAudioSeconds: deps.limits.maxAudioSeconds,
            }),
            { concurrency: deps.limits.concurrency },
          ),
        );
        if (deps.signer) {
          const deliver = createDeliverer({ client: deps.client, signer: deps.signer, timeoutMs: deps.limits.webhookTimeoutMs, onFailure: deps.onWebhookFailure });
          workers.push(store.deliveries.startWorker(deliver, { concurrency: 4 }));
        }
      }
      const runPurge = () => void purge().catch((err) => deps.log?.error({ err }, 'job retention purge failed'));
      runPurge();
      purgeTimer = setInterval(runPurge, Math.min(3_600_000, deps.limits.retentionHours * 3_600_000));
      purgeTimer.unref();
    },

    /** Stops the workers (running jobs are handed back for the next process), then the store. */
    async close() {
      clearInterval(purgeTimer);
      await Promise.all(workers.splice(0).map((w) => w.close()));
      await store.close();
    },
  };
}

export type JobsService = ReturnType<typeof createJobsService>;
