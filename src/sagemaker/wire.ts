/** Builds the SageMaker service from config: limits by endpoint mode, a guarded client, the S3 client for s3:// inputs. */
import type { Config } from '../config.js';
import { createGuardedClient } from '../net/guarded-client.js';
import type { TranscriptionService } from '../services/transcription.js';
import { createS3Client } from '../storage/s3-client.js';
import { ASYNC_DEADLINE_SECONDS, REALTIME_DEADLINE_SECONDS, REALTIME_MAX_BYTES, createSageMakerService, type SageMakerLimits } from './service.js';

export function sagemakerLimits(config: Pick<Config, 'SAGEMAKER_ASYNC' | 'ASYNC_MAX_UPLOAD_BYTES' | 'ASYNC_MAX_AUDIO_SECONDS'>): SageMakerLimits {
  return config.SAGEMAKER_ASYNC
    ? { maxBytes: config.ASYNC_MAX_UPLOAD_BYTES, deadlineSeconds: ASYNC_DEADLINE_SECONDS, maxAudioSeconds: config.ASYNC_MAX_AUDIO_SECONDS }
    : { maxBytes: REALTIME_MAX_BYTES, deadlineSeconds: REALTIME_DEADLINE_SECONDS };
}

export function createSageMakerFromConfig(
  config: Config,
  deps: { transcription: TranscriptionService; defaultModel: string; isReady(): boolean },
) {
  return createSageMakerService({
    ...deps,
    client: createGuardedClient({
      allowPrivate: config.ALLOW_PRIVATE_URLS,
      maxRedirects: config.URL_MAX_REDIRECTS,
      timeoutMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000,
    }),
    s3: config.STORAGE === 's3' ? createS3Client(config) : undefined,
    allowedBuckets: config.S3_INPUT_BUCKETS,
    limits: sagemakerLimits(config),
  });
}
