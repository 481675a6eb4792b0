/** Builds the jobs service from config: the JobStore, the BlobStore, the guarded client, the signer. */
import path from 'node:path';
import type { Config } from '../config.js';
import { createGuardedClient } from '../net/guarded-client.js';
import type { TranscriptionService } from '../services/transcription.js';
import { createBlobStore } from '../storage/index.js';
import { createSigner } from '../webhooks/sign.js';
import { createJobStore } from './index.js';
import { createJobMetrics } from './metrics.js';
import { createJobsService, type JobsService } from './service.js';
import type client from 'prom-client';
import { isDiarizeModel } from '../services/diarized-transcription.js';
import { errors } from '../errors.js';
import type { ModelCatalog } from '../services/models.js';
import type { ProbeDuration } from './probe.js';

export async function createJobsFromConfig(
  config: Config,
  deps: { transcription: TranscriptionService; models: Pick<ModelCatalog, 'require' | 'defaultModel'>; registry: client.Registry; probe?: ProbeDuration; log?: { warn(o: object, m: string): void; error(o: object, m: string): void } },
): Promise<JobsService> {
  const metrics = createJobMetrics(deps.registry);
  const store = await createJobStore(config, (err) => deps.log?.error({ err }, 'job store error'));
  const { blobs, s3 } = await createBlobStore(config, path.join(config.DATA_DIR, 'blobs'));
  const client = createGuardedClient({
    allowPrivate: config.ALLOW_PRIVATE_URLS,
    maxRedirects: config.URL_MAX_REDIRECTS,
    timeoutMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000,
  });
  const jobs = createJobsService({
    store,
    blobs,
    transcription: deps.transcription,
    client,
    // s3:// audio_url is read with the blob store's own client, from the allow-listed buckets only.
    s3: { client: s3, allowedBuckets: config.S3_INPUT_BUCKETS },
    signer: config.WEBHOOK_SECRET.length > 0 ? createSigner(config.WEBHOOK_SECRET) : undefined,
    limits: {
      maxUploadBytes: config.ASYNC_MAX_UPLOAD_BYTES,
      maxAudioSeconds: config.ASYNC_MAX_AUDIO_SECONDS,
      maxAttempts: config.JOB_MAX_ATTEMPTS,
      retentionHours: config.JOB_RETENTION_HOURS,
      concurrency: config.JOB_CONCURRENCY,
      webhookTimeoutMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000,
    },
    probe: deps.probe,
    runWorkers: config.ROLE !== 'api',
    validate(params) {
      // The diarization model runs DEFAULT_MODEL's whisper.
      const info = deps.models.require(isDiarizeModel(params.model) ? deps.models.defaultModel : params.model);
      if (params.task === 'translate' && !info.multilingual) {
        throw errors.invalidRequest(`Model '${params.model}' is English-only and cannot translate; use a multilingual model (for example 'base').`, 'model', 'model_not_multilingual');
      }
    },
    onWebhookFailure: (r) => metrics.webhookFailed(r),
    log: deps.log,
  });
  metrics.attach(jobs);
  return jobs;
}
