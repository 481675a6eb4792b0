/**
 * `stream=true`: Server-Sent Events, one `transcript.text.delta` per segment as whisper.cpp
 * emits it, then `transcript.text.done`, then `[DONE]`. The HTTP status and headers go out
 * only once a model slot is held, so a full queue or an unknown model is still a plain 429/404
 * the SDKs raise normally; after that, a failure can only be an `error` event.
 */
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Segment, Transcript } from '../engine/types.js';
import { diarizedSegment, segmentId } from '../format/diarized.js';
import { segmentLogprobs } from '../format/logprobs.js';
import { SSE_CONTENT_TYPE, SSE_DONE, deltaEvent, doneEvent, errorEvent, sseEvent } from '../format/sse.js';
import type { TranscriptionRequest, TranscriptionService } from '../services/transcription.js';
import { toApiError } from './error-handler.js';

export interface StreamOutput {
  /** include[]=logprobs: on every delta and on the done event. */
  logprobs?: boolean;
  /** languages[] was sent: `languages` on the done event. */
  languages?: boolean;
  /** response_format=diarized_json: a `transcript.text.segment` event after each speaker's delta. */
  segments?: boolean;
}

export async function streamTranscript(
  reply: FastifyReply,
  service: TranscriptionService,
  job: TranscriptionRequest,
  output: StreamOutput = {},
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
  const onSegment = (s: Segment) => {
    // Whisper segments start with a space; dropping the first one makes the deltas add up to
    // exactly the `text` of the done event.
    const delta = first ? s.text.trimStart() : s.text;
    if (!delta) return;
    write(sseEvent(deltaEvent(delta, output.logprobs ? { logprobs: segmentLogprobs(s, first) } : {})));
    first = false;
  };
  // Speakers are known only once the whole file is done: each speaker segment is then one
  // delta (with its segment_id), followed by its segment event with diarized_json.
  const speakerEvents = (t: Transcript) => {
    for (const [i, s] of (t.speakers ?? []).entries()) {
      const text = s.text.trim();
      write(sseEvent(deltaEvent(i === 0 ? text : ` ${text}`, { segment_id: segmentId(i) })));
      if (output.segments) write(sseEvent(diarizedSegment(s, i)));
    }
  };

  try {
    const transcript = await service.transcribe(job, { onStart: start, onSegment });
    speakerEvents(transcript);
    write(sseEvent(doneEvent(transcript, output)));
    write(SSE_DONE, true);
  } catch (err) {
    if (!started) throw err;
    const apiError = toApiError(err);
    reply.log.warn({ err }, `stream failed: ${apiError.message}`);
    write(sseEvent(errorEvent(apiError.toBody().error)), true);
  }
  return reply;
}
