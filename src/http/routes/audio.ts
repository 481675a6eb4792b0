/**
 * OpenAI-compatible audio routes. Handlers only map fields; the work is in
 * services/transcription.ts and the output in format/.
 */
import type { FastifyReply } from 'fastify';
import { spoolReferences } from '../spool-references.js';
import { checkTranscriptionFields } from '../transcription-rules.js';
import { chunkingOf } from '../../services/transcription.js';
import { render } from '../../format/index.js';
import { TranscriptionRequest, TranslationRequest, transcriptionResponses, translationResponses } from '../schemas/audio.js';
import { streamTranscript } from '../stream-transcript.js';
import type { FastifyPluginAsyncZod } from '../type-provider.js';

const routeConfig = { auth: true, work: true, upload: { maxFiles: 1, decodeEarly: true } };
const common = { consumes: ['multipart/form-data'], tags: ['audio'], security: [{ bearerAuth: [] }] };

function send(reply: FastifyReply, rendered: { body: unknown; contentType: string }) {
  return reply.type(rendered.contentType).send(rendered.body);
}

const audioRoutes: FastifyPluginAsyncZod = async (app) => {
  const { transcription } = app.services;

  // https://platform.openai.com/docs/api-reference/audio/createTranscription
  app.post('/v1/audio/transcriptions', {
    config: routeConfig,
    schema: { ...common, operationId: 'createTranscription', summary: 'Transcribe audio', body: TranscriptionRequest, response: transcriptionResponses },
  }, async (request, reply) => {
    const b = request.body;
    const granularities = b.timestamp_granularities ?? [];
    const checked = checkTranscriptionFields(b);
    const job = {
      filePath: b.file.path,
      decoded: b.file.decoded,
      model: b.model,
      task: 'transcribe' as const,
      language: b.language,
      languages: b.languages,
      keywords: b.keywords,
      prompt: b.prompt,
      temperature: b.temperature,
      wordTimestamps: granularities.includes('word'),
      chunking: chunkingOf(b.chunking_strategy),
      ...(checked.diarize ? { diarize: { knownSpeakers: await spoolReferences(request.uploadDir, checked.knownSpeakers) } } : {}),
      signal: request.clientSignal,
    };
    const output = { logprobs: checked.logprobs, languages: b.languages !== undefined, segments: b.response_format === 'diarized_json' };
    if (b.stream) return streamTranscript(reply, transcription, job, output);
    const transcript = await transcription.transcribe(job);
    return send(reply, render(b.response_format, transcript, { granularities, ...output }));
  });

  // https://platform.openai.com/docs/api-reference/audio/createTranslation
  app.post('/v1/audio/translations', {
    config: routeConfig,
    schema: { ...common, operationId: 'createTranslation', summary: 'Translate audio into English', body: TranslationRequest, response: translationResponses },
  }, async (request, reply) => {
    const b = request.body;
    const transcript = await transcription.transcribe({
      filePath: b.file.path,
      decoded: b.file.decoded,
      model: b.model,
      task: 'translate',
      prompt: b.prompt,
      temperature: b.temperature,
      signal: request.clientSignal,
    });
    return send(reply, render(b.response_format, transcript));
  });
};

export default audioRoutes;
