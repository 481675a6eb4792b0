/** Schemas shared by every route: OpenAI's error body and the language field. */
import { z } from 'zod';
import { toLanguageCode } from '../../format/languages.js';

export const ErrorBody = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  })
  .meta({ id: 'ErrorResponse', description: "OpenAI's error object; every failure uses it." });

/** Error statuses a route can answer with; all share the one body. */
export type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 415 | 429 | 500 | 503;

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'Invalid request: a bad field, unsupported or corrupt audio, a malformed multipart body.',
  401: 'Missing or wrong API key (only when API_KEYS is set).',
  404: 'Unknown model.',
  409: 'The job is in a state that does not allow this (cancel after completion, result before completion).',
  413: 'The upload is larger than MAX_UPLOAD_BYTES.',
  415: 'The body is not multipart/form-data.',
  429: 'The model queue is full; Retry-After says when to try again.',
  500: 'Transcription failed.',
  503: 'Not ready yet, or shutting down.',
};

type ErrorResponse = { description: string; content: { 'application/json': { schema: typeof ErrorBody } } };

export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, ErrorResponse> {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: ERROR_DESCRIPTIONS[s], content: { 'application/json': { schema: ErrorBody } } }]),
  ) as Record<S, ErrorResponse>;
}

/** ISO-639-1 code (or English name) → whisper's code; unknown languages are a 400, not a guess. */
export const Language = z
  .string()
  .transform((value, ctx) => {
    const code = toLanguageCode(value);
    if (code) return code;
    ctx.addIssue({
      code: 'custom',
      message: `Unsupported language '${value}'. Use an ISO-639-1 code that Whisper knows, such as 'en', 'de' or 'fr'.`,
    });
    return z.NEVER;
  })
  .meta({
    description:
      "The language of the input audio, as an ISO-639-1 code (e.g. `en`); Whisper's English names (`german`) are also accepted. Omit it to auto-detect.",
    examples: ['en'],
  });

export const Temperature = z
  .number()
  .min(0)
  .max(1)
  .default(0)
  .describe(
    'Sampling temperature between 0 and 1. 0 means automatic fallback: decode greedily and raise the temperature only when a window fails the quality checks.',
  );

export const Prompt = z
  .string()
  .max(4000)
  .describe("Optional text to guide the model's style or continue a previous segment.");

export const ModelField = z
  .string()
  .min(1)
  .max(256)
  .describe('Model name (see GET /v1/models) or an alias such as `whisper-1`.');
