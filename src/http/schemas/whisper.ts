/** The legacy /whisper endpoint: several files in one form, one plain transcript each. */
import { z } from 'zod';
import { Language, Prompt, Temperature, errorResponses } from './common.js';
import { upload } from './form.js';

export const WhisperRequest = z.object({
  file: z
    .array(upload('An audio file. Any field name is accepted; all files are transcribed in order.'))
    .min(1)
    .describe('One or more audio files (MAX_FILES_PER_REQUEST at most).'),
  model: z.string().min(1).max(256).optional().describe('Defaults to DEFAULT_MODEL.'),
  language: Language.optional(),
  prompt: Prompt.optional(),
  temperature: Temperature,
});
export type WhisperRequest = z.output<typeof WhisperRequest>;

export const WhisperResponse = z.object({
  results: z.array(z.object({ filename: z.string(), transcript: z.string() })),
});

export const whisperResponses = { 200: WhisperResponse, ...errorResponses(400, 401, 404, 413, 415, 429, 500, 503) };
