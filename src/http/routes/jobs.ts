/**
 * Async jobs. Submitting is the synchronous endpoint with `Prefer: respond-async` (RFC 7240):
 * a header-constrained twin of each audio route, so the synchronous routes stay as they are.
 * The job API follows OpenAI's conventions for long-running objects (batches, responses in
 * background mode): cursor lists with `after`/`limit`, `POST …/cancel`, `DELETE` for removal.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errors } from '../../errors.js';
import { checkTranscriptionFields } from '../transcription-rules.js';
import type { JobParams } from '../../jobs/types.js';
import type { JobSource } from '../../jobs/service.js';
import {
  AsyncTranscriptionRequest, AsyncTranslationRequest, Job, JobDeleted, JobIdParams, JobList, ListJobsQuery, jobErrors, submitResponses,
} from '../schemas/jobs.js';
import type { UploadedFile } from '../schemas/form.js';
import type { FastifyPluginAsyncZod } from '../type-provider.js';

const PREFER_ASYNC = /(^|[\s,;])respond-async\s*(?=$|[,;])/i;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const common = { tags: ['jobs'], security: [{ bearerAuth: [] }] };

export const preferAsync = (request: FastifyRequest) => PREFER_ASYNC.test(String(request.headers.prefer ?? ''));

/** One source, never both: `file` or `audio_url`. */
function sourceOf(file: UploadedFile | undefined, audioUrl: string | undefined): JobSource {
  if (file && audioUrl) throw errors.invalidRequest('Provide either file or audio_url, not both.', 'audio_url', 'conflicting_parameters');
  if (audioUrl) return { kind: 'url', url: audioUrl };
  if (!file) throw errors.missingField('file');
  return { kind: 'upload', path: file.path, size: file.size, filename: file.filename };
}

/** With API_KEYS set, the caller is its key: a digest of it, never the key itself, owns its jobs and scopes Idempotency-Key. */
function principal(request: FastifyRequest, keysConfigured: boolean): string | undefined {
  const m = keysConfigured ? /^Bearer\s+(.+)$/i.exec(String(request.headers.authorization ?? '').trim()) : null;
  return m ? createHash('sha256').update(m[1]!.trim()).digest('hex').slice(0, 32) : undefined;
}

function idempotencyKey(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !IDEMPOTENCY_KEY.test(raw)) {
    throw errors.invalidRequest('Idempotency-Key must be 1–255 printable ASCII characters, sent once.', 'Idempotency-Key', 'invalid_idempotency_key');
  }
  return raw;
}

const jobRoutes: FastifyPluginAsyncZod = async (app) => {
  const { jobs, config } = app.services;
  // Requests with `Prefer: respond-async` reach the async twins below; all others the sync routes.
  app.addConstraintStrategy({
    name: 'prefer',
    mustMatchWhenDerived: false,
    storage() {
      const m = new Map<string, unknown>();
      return { get: (k: string) => (m.get(k) ?? null) as never, set: (k: string, v: unknown) => void m.set(k, v) };
    },
    deriveConstraint: (req: { headers: Record<string, unknown> }) =>
      PREFER_ASYNC.test(String(req.headers.prefer ?? '')) ? 'respond-async' : undefined,
  } as never);

  // Every job route acts for the caller's key: another key's jobs answer 404, as unknown ids.
  const caller = (request: FastifyRequest) => principal(request, config.API_KEYS.length > 0);

  const submit = async (request: FastifyRequest, reply: FastifyReply, source: JobSource, params: JobParams, b: { webhook_url?: string; metadata?: Record<string, string> }) => {
    const { job, created } = await jobs.submit({
      params, source, webhookUrl: b.webhook_url, metadata: b.metadata,
      idempotencyKey: idempotencyKey(request), principal: caller(request),
    });
    reply.header('location', `/v1/audio/jobs/${job.id}`).header('preference-applied', 'respond-async');
    if (!created) reply.header('idempotent-replayed', 'true');
    return reply.code(202).send(job);
  };
  const upload = { maxFiles: 1, maxBytes: config.ASYNC_MAX_UPLOAD_BYTES };
  const hidden = { hide: true, consumes: ['multipart/form-data'], response: submitResponses };

  // https://platform.openai.com/docs/api-reference/audio/createTranscription (with Prefer: respond-async)
  app.post('/v1/audio/transcriptions', {
    constraints: { prefer: 'respond-async' },
    config: { auth: true, work: true, upload },
    schema: { ...hidden, body: AsyncTranscriptionRequest },
  }, async (request, reply) => {
    const b = request.body;
    const granularities = b.timestamp_granularities ?? [];
    const checked = checkTranscriptionFields(b);
    if (b.stream) throw errors.unsupportedParameter('stream', 'an async job cannot stream; poll the job or use webhook_url.');
    if (checked.knownSpeakers.length) {
      throw errors.unsupportedParameter('known_speaker_references', 'known speakers are not yet taken by async jobs; use the synchronous request.');
    }
    const params: JobParams = {
      model: b.model, task: 'transcribe', response_format: b.response_format, language: b.language, prompt: b.prompt,
      temperature: b.temperature, timestamp_granularities: granularities.length ? granularities : undefined,
      chunking_strategy: b.chunking_strategy, keywords: b.keywords, languages: b.languages,
      ...(checked.logprobs ? { logprobs: true } : {}),
    };
    return submit(request, reply, sourceOf(b.file, b.audio_url), params, b);
  });

  // https://platform.openai.com/docs/api-reference/audio/createTranslation (with Prefer: respond-async)
  app.post('/v1/audio/translations', {
    constraints: { prefer: 'respond-async' },
    config: { auth: true, work: true, upload },
    schema: { ...hidden, body: AsyncTranslationRequest },
  }, async (request, reply) => {
    const b = request.body;
    const params: JobParams = { model: b.model, task: 'translate', response_format: b.response_format, prompt: b.prompt, temperature: b.temperature };
    return submit(request, reply, sourceOf(b.file, b.audio_url), params, b);
  });

  // https://platform.openai.com/docs/api-reference/batch/list (cursor conventions)
  app.get('/v1/audio/jobs', {
    config: { auth: true },
    schema: { ...common, operationId: 'listAudioJobs', summary: 'List async jobs, newest first', querystring: ListJobsQuery, response: { 200: JobList, ...jobErrors } },
  }, async (request) => jobs.list(request.query as never, caller(request)));

  // https://platform.openai.com/docs/api-reference/batch/retrieve
  app.get('/v1/audio/jobs/:job_id', {
    config: { auth: true },
    schema: { ...common, operationId: 'getAudioJob', summary: 'Get an async job', params: JobIdParams, response: { 200: Job, ...jobErrors } },
  }, async (request) => jobs.get(request.params.job_id, caller(request)));

  // The result in the job's response_format: the synchronous call's bytes and content type.
  app.get('/v1/audio/jobs/:job_id/result', {
    config: { auth: true },
    schema: {
      ...common, operationId: 'getAudioJobResult', summary: "Get a completed job's transcript", params: JobIdParams,
      response: { 200: { description: 'The transcript, as the synchronous call returns it.', content: { 'application/json': { schema: z.unknown().describe('`json` / `verbose_json`.') }, 'text/plain': { schema: z.string().describe('`text` / `srt`.') }, 'text/vtt': { schema: z.string() } } }, ...jobErrors },
    },
  }, async (request, reply) => {
    const r = await jobs.result(request.params.job_id, caller(request));
    return reply.type(r.contentType).header('content-length', r.bytes).send(r.body);
  });

  // https://platform.openai.com/docs/api-reference/batch/cancel
  app.post('/v1/audio/jobs/:job_id/cancel', {
    config: { auth: true },
    schema: { ...common, operationId: 'cancelAudioJob', summary: 'Cancel an async job (aborts running compute)', params: JobIdParams, response: { 200: Job, ...jobErrors } },
  }, async (request) => jobs.cancel(request.params.job_id, caller(request)));

  // Removes the job, its input and its result.
  app.delete('/v1/audio/jobs/:job_id', {
    config: { auth: true },
    schema: { ...common, operationId: 'deleteAudioJob', summary: 'Delete an async job with its input and result', params: JobIdParams, response: { 200: JobDeleted, ...jobErrors } },
  }, async (request) => jobs.delete(request.params.job_id, caller(request)));
};

export default jobRoutes;
