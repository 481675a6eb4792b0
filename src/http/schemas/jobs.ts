/**
 * Schemas of the async jobs API: the submit body (the synchronous fields plus audio_url,
 * webhook_url, metadata), the `audio.job` object, lists, and the ids and queries of /v1/audio/jobs.
 */
import { z } from 'zod';
import { JOB_ID_PATTERN } from '../../jobs/ids.js';
import { JOB_STATUSES } from '../../jobs/types.js';
import { RESPONSE_FORMATS } from '../../format/types.js';
import { ErrorBody, errorResponses } from './common.js';
import { TranscriptionRequest, TranslationRequest } from './audio.js';

const HttpUrl = (what: string) =>
  z.string().max(2048).describe(`${what}: an http or https URL that resolves to a public address.`);

/** OpenAI's metadata: at most 16 string pairs (keys ≤ 64 chars, values ≤ 512). `metadata[key]=value` in a form. */
export const Metadata = z
  .record(z.string().min(1).max(64), z.string().max(512))
  .refine((m) => Object.keys(m).length <= 16, 'metadata takes at most 16 keys')
  .describe('Up to 16 key/value string pairs, returned on the job and in its webhook (`metadata[key]=value`).');

const asyncFields = {
  audio_url: z
    .string()
    .max(2048)
    .describe(
      'Audio to fetch instead of uploading `file`: an http or https URL that resolves to a public address, or `s3://bucket/key` in one of the S3_INPUT_BUCKETS (STORAGE=s3 only), read with the server\'s credentials.',
    )
    .optional(),
  webhook_url: HttpUrl('Where to POST the signed `audio.job.*` event when the job ends').optional(),
  metadata: Metadata.optional(),
};

export const AsyncTranscriptionRequest = TranscriptionRequest.extend({
  file: TranscriptionRequest.shape.file.optional(),
  ...asyncFields,
});
export type AsyncTranscriptionRequest = z.output<typeof AsyncTranscriptionRequest>;

export const AsyncTranslationRequest = TranslationRequest.extend({
  file: TranslationRequest.shape.file.optional(),
  ...asyncFields,
});
export type AsyncTranslationRequest = z.output<typeof AsyncTranslationRequest>;

const JobError = z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() });

const WebhookDelivery = z.object({
  id: z.string().describe('The `webhook-id` header, the same on every retry.'),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.array(
    z.object({ at: z.number().int(), status_code: z.number().int().nullable(), error: z.string().nullable(), duration_ms: z.number() }),
  ),
  next_attempt_at: z.number().int().nullable(),
});

export const Job = z
  .object({
    id: z.string(),
    object: z.literal('audio.job'),
    status: z.enum(JOB_STATUSES as [string, ...string[]]),
    created_at: z.number().int(),
    started_at: z.number().int().nullable(),
    completed_at: z.number().int().nullable(),
    model: z.string(),
    task: z.enum(['transcribe', 'translate']),
    response_format: z.enum(RESPONSE_FORMATS),
    progress: z.number().min(0).max(1),
    audio_seconds: z.number().nullable(),
    error: JobError.nullable(),
    metadata: z.record(z.string(), z.string()),
    attempts: z.number().int(),
    webhook_url: z.string().nullable(),
    webhook: WebhookDelivery.nullable().optional().describe('Delivery history of the webhook (single-job reads).'),
  })
  .meta({ id: 'AudioJob' });

export const JobList = z
  .object({
    object: z.literal('list'),
    data: z.array(Job),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    has_more: z.boolean(),
  })
  .meta({ id: 'AudioJobList' });

export const JobDeleted = z.object({ id: z.string(), object: z.literal('audio.job.deleted'), deleted: z.literal(true) });

export const JobIdParams = z.object({
  job_id: z.string().regex(JOB_ID_PATTERN, 'expected a job id (job_…)').describe('The job id returned at submit.'),
});

export const ListJobsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().max(64).optional().describe('A job id: list the jobs after it (older ones).'),
  status: z.enum(JOB_STATUSES as [string, ...string[]]).optional(),
});

export const jobErrors = errorResponses(400, 401, 404, 409, 503);
export const submitResponses = {
  202: { description: 'Accepted: the job object. `Location` names it.', content: { 'application/json': { schema: Job } } },
  ...errorResponses(400, 401, 404, 413, 415, 503),
};
export { ErrorBody };
