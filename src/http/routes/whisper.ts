/**
 * Legacy POST /whisper: any number of files (up to MAX_FILES_PER_REQUEST) in one form, under any
 * field names, answered as {"results":[{"filename","transcript"}]}. Files run one after another
 * so one request holds at most one slot and cannot crowd out other clients.
 */
import { WhisperRequest, whisperResponses } from '../schemas/whisper.js';
import type { FastifyPluginAsyncZod } from '../type-provider.js';

const whisperRoutes: FastifyPluginAsyncZod = async (app) => {
  const { transcription, config } = app.services;

  app.post('/whisper', {
    config: { auth: true, work: true, upload: { maxFiles: config.MAX_FILES_PER_REQUEST, anyFileField: true } },
    schema: {
      consumes: ['multipart/form-data'],
      tags: ['legacy'],
      security: [{ bearerAuth: [] }],
      operationId: 'legacyWhisper',
      summary: 'Transcribe several files (legacy)',
      body: WhisperRequest,
      response: whisperResponses,
    },
  }, async (request) => {
    const b = request.body;
    const results = [];
    for (const file of b.file) {
      const transcript = await transcription.transcribe({
        filePath: file.path,
        model: b.model ?? config.DEFAULT_MODEL,
        task: 'transcribe',
        language: b.language,
        prompt: b.prompt,
        temperature: b.temperature,
        signal: request.clientSignal,
      });
      results.push({ filename: file.filename, transcript: transcript.text.trim() });
    }
    return { results };
  });
};

export default whisperRoutes;
