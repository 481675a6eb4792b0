/**
 * What one /invocations call asks for, from its parts: parameters from the JSON body and/or
 * X-Amzn-SageMaker-Custom-Attributes (never both for one key), the output from Accept, and the
 * audio source. Validation uses the OpenAI routes' own field schemas, so a bad language or
 * temperature gets the same message on every door; unknown parameters are a 400, not ignored.
 */
import { z } from 'zod';
import { errors } from '../errors.js';
import { GRANULARITIES, RESPONSE_FORMATS, type Granularity, type ResponseFormat } from '../format/types.js';
import type { Task } from '../engine/types.js';
import { Language, ModelField, Prompt, Temperature } from '../http/schemas/common.js';
import { TranscriptionRequest } from '../http/schemas/audio.js';
import type { ChunkingStrategyField } from '../services/transcription.js';
import { checkTranscriptionFields } from '../http/transcription-rules.js';
import { formatFromAccept } from './accept.js';
import { sagemakerErrors } from './errors.js';

const Params = z.strictObject({
  model: ModelField.optional(),
  task: z.enum(['transcribe', 'translate']).optional(),
  language: Language.optional(),
  prompt: Prompt.optional(),
  temperature: z.coerce.number().min(0).max(1).optional().describe(Temperature.description ?? ''),
  response_format: z.enum(RESPONSE_FORMATS).optional(),
  timestamp_granularities: z.array(z.enum(GRANULARITIES)).max(2).optional(),
  // The audio route's own schema: 'auto' (also as an attribute) or the server_vad object (JSON only).
  chunking_strategy: TranscriptionRequest.shape.chunking_strategy,
  keywords: TranscriptionRequest.shape.keywords,
  languages: TranscriptionRequest.shape.languages,
  include: TranscriptionRequest.shape.include,
});
export const PARAMETER_NAMES = Object.keys(Params.shape);
const ARRAY_PARAMS = new Set(['timestamp_granularities', 'keywords', 'languages', 'include']);

/** The JSON body: the audio (inline base64 or a URL) plus any of the parameters. */
export const InvocationJson = z.object({
  audio_b64: z.string().min(1).optional().describe('The audio file, base64-encoded (small clips; large ones go as raw bytes).'),
  audio_url: z.string().max(2048).optional().describe('http(s) URL resolving to a public address, or s3://bucket/key from S3_INPUT_BUCKETS.'),
  ...Params.shape,
});

export type InvocationSource =
  | { kind: 'file'; path: string; bytes: number }
  | { kind: 'base64'; data: string }
  | { kind: 'url'; url: string };

export interface InvocationParams {
  model?: string;
  task: Task;
  language?: string;
  prompt?: string;
  temperature?: number;
  format: ResponseFormat;
  granularities: Granularity[];
  chunking?: ChunkingStrategyField;
  keywords?: string[];
  languages?: string[];
  logprobs?: boolean;
}

export interface InvocationParts {
  /** Set for raw-audio bodies (already spooled); undefined for JSON. */
  file?: { path: string; bytes: number };
  /** The parsed JSON body, for application/json. */
  json?: unknown;
  attributes: Record<string, string | string[]>;
  accept?: string;
}

function zodMessage(err: z.ZodError, where: string) {
  const issue = err.issues[0]!;
  const param = issue.path.map(String)[0] ?? null;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    return errors.invalidRequest(
      `Unknown parameter${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')} in ${where}; known: ${['audio_b64', 'audio_url', ...PARAMETER_NAMES].join(', ')}.`,
      keys[0] ?? null,
      'unknown_parameter',
    );
  }
  return errors.invalidRequest(`Invalid value for '${issue.path.join('.') || 'body'}' in ${where}: ${issue.message}`, param);
}

export function parseInvocation(parts: InvocationParts): { source: InvocationSource; params: InvocationParams } {
  const attrs = Params.safeParse(
    Object.fromEntries(
      Object.entries(parts.attributes).map(([k, v]) => [k, ARRAY_PARAMS.has(k) && !Array.isArray(v) ? [v] : v]),
    ),
  );
  if (!attrs.success) throw zodMessage(attrs.error, 'X-Amzn-SageMaker-Custom-Attributes');

  let source: InvocationSource;
  let body: z.output<typeof Params> | Record<string, never> = {};
  if (parts.file) {
    if (parts.file.bytes === 0) throw sagemakerErrors.emptyBody();
    source = { kind: 'file', path: parts.file.path, bytes: parts.file.bytes };
  } else {
    if (typeof parts.json !== 'object' || parts.json === null || Array.isArray(parts.json)) {
      throw errors.invalidRequest('The JSON body must be an object with audio_b64 or audio_url.', 'body', 'invalid_json');
    }
    const parsed = InvocationJson.strict().safeParse(parts.json);
    if (!parsed.success) throw zodMessage(parsed.error, 'the JSON body');
    const { audio_b64, audio_url, ...rest } = parsed.data;
    if (audio_b64 && audio_url) throw errors.invalidRequest('Provide either audio_b64 or audio_url, not both.', 'audio_url', 'conflicting_parameters');
    if (audio_b64) source = { kind: 'base64', data: audio_b64 };
    else if (audio_url) source = { kind: 'url', url: audio_url };
    else throw errors.missingField('audio_b64');
    body = rest;
  }
  const fromJson = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
  for (const key of Object.keys(parts.attributes)) {
    if (key in fromJson) {
      throw errors.invalidRequest(`'${key}' is given both in the JSON body and in X-Amzn-SageMaker-Custom-Attributes; give it once.`, key, 'conflicting_parameters');
    }
  }
  const p = { ...attrs.data, ...fromJson } as z.output<typeof Params>;
  const accepted = formatFromAccept(parts.accept);
  // diarized_json is JSON: Accept: application/json does not contradict it.
  const compatible = accepted === 'json' && p.response_format === 'diarized_json';
  if (accepted && p.response_format && accepted !== p.response_format && !compatible) {
    throw errors.invalidRequest(`response_format '${p.response_format}' contradicts Accept '${parts.accept}'.`, 'response_format', 'conflicting_parameters');
  }
  const format = compatible ? 'diarized_json' : (accepted ?? p.response_format ?? 'json');
  const checked = checkTranscriptionFields({ ...p, model: p.model ?? '', response_format: format });
  const granularities = p.timestamp_granularities ?? [];
  if (granularities.includes('word') && format !== 'verbose_json') {
    throw errors.invalidRequest('timestamp_granularities=word needs verbose JSON output (Accept: application/vnd.whisper.verbose+json).', 'timestamp_granularities');
  }
  if (p.task === 'translate' && p.language) {
    throw errors.unsupportedParameter('language', 'translation always produces English; omit language.');
  }
  return {
    source,
    params: {
      model: p.model, task: p.task ?? 'transcribe', language: p.language, prompt: p.prompt, temperature: p.temperature, format, granularities,
      chunking: p.chunking_strategy, keywords: p.keywords, languages: p.languages, logprobs: checked.logprobs,
    },
  };
}
