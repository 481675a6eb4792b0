/**
 * `stream=true`: Server-Sent Events, one `transcript.text.delta` per segment as whisper.cpp
 * emits it, then `transcript.text.done`, then `[DONE]`. The HTTP status and headers go out
 * only once a model slot is held, so a full queue or an unknown model is still a plain 429/404
 * the SDKs raise normally; after that, a failure can only be an `error` event.
 */
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { SSE_CONTENT_TYPE, SSE_DONE, deltaEvent, doneEvent, errorEvent, sseEvent } from '../format/sse.js';
import type { TranscriptionRequest, TranscriptionService } from '../services/transcription.js';
import { toApiError } from './error-handler.js';

export async function streamTranscript(
  reply: FastifyReply,
  service: TranscriptionService,
  job: TranscriptionRequest,
): Promise<FastifyReply> {
  const out = new PassThrough();
  // After a disconnect Fastify destroys the stream; late segments must not write into it.
  const write = (chunk: string, end = false) => {
    if (out.destroyed || out.writableEnded) return;
    if (end) out.end(chunk);
    else out.write(chunk);
  };
  let started = false;
  let first = true;
  const start = () => {
    started = true;
    reply
      .header('content-type', SSE_CONTENT_TYPE)
      .header('cache-control', 'no-cache')
      // nginx and some ingress controllers buffer responses unless told not to.
      .header('x-accel-buffering', 'no')
      .send(out);
  };
  const onSegment = (s: { text: string }) => {
    // Whisper segments start with a space; dropping the first one makes the deltas add up to
    // exactly the `text` of the done event.
    const delta = first ? s.text.trimStart() : s.text;
    if (!delta) return;
    first = false;
    write(sseEvent(deltaEvent(delta)));
  };

  try {
    const transcript = await service.transcribe(job, { onStart: start, onSegment });
    write(sseEvent(doneEvent(transcript)));
    write(SSE_DONE, true);
  } catch (err) {
    if (!started) throw err;
    const apiError = toApiError(err);
    reply.log.warn({ err }, `stream failed: ${apiError.message}`);
    write(sseEvent(errorEvent(apiError.toBody().error)), true);
  }
  return reply;
}
