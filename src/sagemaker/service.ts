/**
 * The SageMaker door (GET /ping, POST /invocations) as a service that knows nothing of HTTP:
 * an invocation's audio goes through the same transcription service, pool and renderers as
 * POST /v1/audio/transcriptions, at interactive priority. What differs is the envelope:
 * parameters from a header or JSON, the output picked by Accept, and SageMaker's limits
 * (real-time: 6 MiB and 60 s; SAGEMAKER_ASYNC: the async-upload size and 1 h).
 */
import { isAbortError } from '../errors.js';
import { render, type Rendered } from '../format/index.js';
import { isDiarizeModel } from '../services/diarized-transcription.js';
import { chunkingOf, type TranscriptionService } from '../services/transcription.js';
import { outputContentType } from './accept.js';
import { sagemakerErrors } from './errors.js';
import { materialize, type InputDeps } from './input.js';
import type { InvocationParams, InvocationSource } from './request.js';

/** SageMaker real-time endpoints refuse request bodies over 6 MB and give a container 60 s. */
export const REALTIME_MAX_BYTES = 6 * 1024 * 1024;
export const REALTIME_DEADLINE_SECONDS = 60;
/** Asynchronous inference: up to 1 GB of input, up to an hour of processing per request. */
export const ASYNC_DEADLINE_SECONDS = 3600;

export interface SageMakerLimits {
  maxBytes: number;
  deadlineSeconds: number;
  /** Passed to the transcription service (undefined: its MAX_AUDIO_SECONDS). */
  maxAudioSeconds?: number;
}

export interface SageMakerDeps extends Omit<InputDeps, 'maxBytes'> {
  transcription: TranscriptionService;
  /** The model used when an invocation names none (DEFAULT_MODEL). */
  defaultModel: string;
  /** Whether the default model is loaded, for /ping. */
  isReady(): boolean;
  limits: SageMakerLimits;
}

export interface Invocation {
  source: InvocationSource;
  params: InvocationParams;
  /** The raw Accept header, to label SubRip as asked. */
  accept?: string;
  /** Where fetched or decoded inputs may be written; the caller removes it. */
  workDir: string;
  signal?: AbortSignal;
}

export function createSageMakerService(deps: SageMakerDeps) {
  const { limits } = deps;
  return {
    limits,
    ping: (): boolean => deps.isReady(),

    async invoke(inv: Invocation): Promise<Rendered> {
      const deadline = AbortSignal.timeout(limits.deadlineSeconds * 1000);
      const signal = inv.signal ? AbortSignal.any([inv.signal, deadline]) : deadline;
      try {
        const filePath = await materialize(inv.source, inv.workDir, { ...deps, maxBytes: limits.maxBytes }, signal);
        const p = inv.params;
        const transcript = await deps.transcription.transcribe({
          filePath,
          model: p.model ?? deps.defaultModel,
          task: p.task,
          language: p.language,
          prompt: p.prompt,
          temperature: p.temperature,
          wordTimestamps: p.granularities.includes('word'),
          chunking: chunkingOf(p.chunking),
          keywords: p.keywords,
          languages: p.languages,
          ...(p.model && isDiarizeModel(p.model) ? { diarize: {} } : {}),
          signal,
          priority: 'interactive',
          maxAudioSeconds: limits.maxAudioSeconds,
        });
        const rendered = render(p.format, transcript, { granularities: p.granularities, logprobs: p.logprobs, languages: p.languages !== undefined });
        return { body: rendered.body, contentType: outputContentType(rendered.contentType, inv.accept, p.format) };
      } catch (err) {
        // Our own deadline, not the caller going away: SageMaker has given up on this request.
        if (deadline.aborted && !inv.signal?.aborted && (isAbortError(err) || err === deadline.reason)) {
          throw sagemakerErrors.invocationTimeout(limits.deadlineSeconds);
        }
        throw err;
      }
    },
  };
}

export type SageMakerService = ReturnType<typeof createSageMakerService>;
