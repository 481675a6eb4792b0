/**
 * What a job worker does with one job, through the same path as a synchronous request: fetch
 * the audio_url into the input blob if this is the first attempt to get that far, open the
 * input as a local file, transcribe at 'batch' priority, render with the same renderers, and
 * store the bytes as the result blob. Every step is keyed by the job id, so a rerun after a
 * crash overwrites rather than duplicates.
 */
import { Readable } from 'node:stream';
import { render } from '../format/index.js';
import type { GuardedClient } from '../net/guarded-client.js';
import { isDiarizeModel } from '../services/diarized-transcription.js';
import { chunkingOf, type TranscriptionService } from '../services/transcription.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { S3InputOptions } from '../storage/s3-input.js';
import { classifyJobError } from './errors.js';
import { fetchToBlob } from './fetch-input.js';
import { inputKey, resultKey } from './ids.js';
import type { JobHandler } from './types.js';

export interface JobWorkerDeps {
  blobs: BlobStore;
  transcription: TranscriptionService;
  client: GuardedClient;
  /** For s3:// audio_url (STORAGE=s3 and S3_INPUT_BUCKETS); absent: such a job fails with a 400 body. */
  s3?: Pick<S3InputOptions, 'client' | 'allowedBuckets'>;
  maxUploadBytes: number;
  maxAudioSeconds: number;
  /** Shortest gap between two progress writes. */
  progressIntervalMs?: number;
}

export function createJobHandler(deps: JobWorkerDeps): JobHandler {
  const interval = deps.progressIntervalMs ?? 500;
  return async (job, ctx) => {
    try {
      const key = inputKey(job.id);
      let local = await deps.blobs.openLocal(key, ctx.signal);
      if (!local && job.input.kind === 'url') {
        await fetchToBlob(deps.client, job.input.url, deps.blobs, key, { maxBytes: deps.maxUploadBytes, signal: ctx.signal, s3: deps.s3 });
        local = await deps.blobs.openLocal(key, ctx.signal);
      }
      if (!local) throw new Error(`the input of job ${job.id} is missing from the blob store`);
      try {
        let duration = 0;
        let lastWrite = 0;
        const p = job.params;
        const transcript = await deps.transcription.transcribe(
          {
            filePath: local.path,
            model: p.model,
            task: p.task,
            language: p.language,
            prompt: p.prompt,
            temperature: p.temperature,
            wordTimestamps: p.timestamp_granularities?.includes('word') ?? false,
            chunking: chunkingOf(p.chunking_strategy),
            keywords: p.keywords,
            languages: p.languages,
            ...(isDiarizeModel(p.model) ? { diarize: {} } : {}),
            signal: ctx.signal,
            priority: 'batch',
            maxAudioSeconds: deps.maxAudioSeconds,
          },
          {
            onDecoded(seconds) {
              duration = seconds;
              void ctx.reportProgress({ progress: 0, audio_seconds: seconds });
            },
            onSegment(segment) {
              const now = Date.now();
              if (duration <= 0 || now - lastWrite < interval) return;
              lastWrite = now;
              void ctx.reportProgress({ progress: Math.min(0.99, segment.end / duration) });
            },
          },
        );
        const rendered = render(p.response_format, transcript, {
          granularities: p.timestamp_granularities ?? [],
          logprobs: p.logprobs,
          languages: p.languages !== undefined,
        });
        const bytes = Buffer.from(typeof rendered.body === 'string' ? rendered.body : JSON.stringify(rendered.body));
        const info = await deps.blobs.put(resultKey(job.id), Readable.from([bytes]), { contentType: rendered.contentType, signal: ctx.signal });
        return {
          result: { key: resultKey(job.id), content_type: rendered.contentType, bytes: info.bytes },
          audio_seconds: transcript.duration,
        };
      } finally {
        await local.release();
      }
    } catch (err) {
      throw classifyJobError(err);
    }
  };
}
