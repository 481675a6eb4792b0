/**
 * Request and response schemas of /v1/audio/transcriptions and /v1/audio/translations, after
 * OpenAI's CreateTranscriptionRequest / CreateTranslationRequest (openai/openai-openapi).
 * Field types are OpenAI's; form strings are coerced from them (see form.ts).
 */
import { z } from 'zod';
import { BASIC_FORMATS, GRANULARITIES, RESPONSE_FORMATS } from '../../format/types.js';
import { ErrorBody, Language, ModelField, Prompt, Temperature, errorResponses } from './common.js';
import { upload } from './form.js';

const AudioFile = upload(
  'The audio file to transcribe: flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm, or anything else ffmpeg decodes.',
);

const ResponseFormat = z
  .enum(RESPONSE_FORMATS)
  .default('json')
  .describe('The format of the output. `diarized_json` (speaker segments) needs `model=gpt-4o-transcribe-diarize`, which answers only `json`, `text` and `diarized_json`.');
const TranslationFormat = z.enum(BASIC_FORMATS).default('json').describe('The format of the output.');

const VadConfig = z.object({
  type: z.literal('server_vad'),
  prefix_padding_ms: z.number().int().min(0).optional(),
  silence_duration_ms: z.number().int().min(0).optional(),
  threshold: z.number().min(0).max(1).optional(),
});

export const TranscriptionRequest = z.object({
  file: AudioFile,
  model: ModelField,
  language: Language.optional(),
  prompt: Prompt.optional(),
  response_format: ResponseFormat,
  temperature: Temperature,
  timestamp_granularities: z
    .array(z.enum(GRANULARITIES))
    .max(2)
    .optional()
    .describe('`word` and/or `segment`; needs `response_format=verbose_json`. Sent as `timestamp_granularities[]`.'),
  stream: z
    .boolean()
    .default(false)
    .describe('Stream the transcript as server-sent events, one delta per decoded segment.'),
  include: z
    .array(z.enum(['logprobs']))
    .optional()
    .describe(
      '`logprobs`: the log probability of every token of the text, `logprobs: [{token, logprob, bytes}]` (the tokens spell the text), on `json` and on every streamed `transcript.text.delta` and `transcript.text.done`. Sent as `include[]`.',
    ),
  keywords: z
    .array(z.string().trim().min(1).max(100))
    .max(100)
    .optional()
    .describe('Words or phrases to guide transcription (names, jargon): decoding is biased towards their spelling. Sent as `keywords[]`.'),
  languages: z
    .array(Language)
    .min(1)
    .max(20)
    .optional()
    .describe(
      'The possible languages of the audio (ISO-639-1): language identification chooses among them only. The `json` answer then carries `languages: [{code}]`. Sent as `languages[]`.',
    ),
  known_speaker_names: z
    .array(z.string().trim().min(1).max(64))
    .max(4)
    .optional()
    .describe('Diarization: names of up to 4 speakers whose voices are in `known_speaker_references[]`, in the same order. Sent as `known_speaker_names[]`.'),
  known_speaker_references: z
    .array(z.string().min(1))
    .max(4)
    .optional()
    .describe('Diarization: one audio clip (2–10 s) per known speaker, as a data URL (`data:audio/wav;base64,...`). Sent as `known_speaker_references[]`.'),
  chunking_strategy: z
    .union([z.literal('auto'), VadConfig], {
      error: "expected 'auto' or an object with type 'server_vad' (chunking_strategy[type]=server_vad)",
    })
    .optional()
    .describe(
      '`auto`: Silero VAD with the server\'s settings decodes only speech (silence and noise give no text). `{type: "server_vad", threshold, prefix_padding_ms, silence_duration_ms}`: VAD with yours (OpenAI\'s defaults 0.5, 300, 200 for the rest). Absent: the server\'s `VAD_FILTER` default. Timestamps stay in the original audio\'s time base.',
    ),
});
export type TranscriptionRequest = z.output<typeof TranscriptionRequest>;

export const TranslationRequest = z.object({
  file: AudioFile,
  model: ModelField,
  prompt: Prompt.optional().describe('Optional text to guide the style; it should be in English.'),
  response_format: TranslationFormat,
  temperature: Temperature,
});
export type TranslationRequest = z.output<typeof TranslationRequest>;

const Usage = z.object({ type: z.literal('duration'), seconds: z.number().int() });

const Segment = z.object({
  id: z.number().int(),
  seek: z.number().int(),
  start: z.number(),
  end: z.number(),
  text: z.string(),
  tokens: z.array(z.number().int()),
  temperature: z.number(),
  avg_logprob: z.number(),
  compression_ratio: z.number(),
  no_speech_prob: z.number(),
});

const Word = z.object({ word: z.string(), start: z.number(), end: z.number() });

const Logprob = z.object({ token: z.string(), logprob: z.number(), bytes: z.array(z.number().int()) });

export const TranscriptionJson = z
  .object({
    text: z.string(),
    languages: z.array(z.object({ code: z.string() })).optional().describe('With `languages[]`: the language found.'),
    logprobs: z.array(Logprob).optional().describe('With `include[]=logprobs`.'),
    usage: Usage,
  })
  .meta({ id: 'Transcription' });

export const TranscriptionDiarized = z
  .object({
    task: z.literal('transcribe'),
    duration: z.number(),
    text: z.string(),
    segments: z.array(
      z.object({
        type: z.literal('transcript.text.segment'),
        id: z.string(),
        start: z.number(),
        end: z.number(),
        speaker: z.string().describe('`A`, `B`, … in order of appearance, or a name from `known_speaker_names[]`.'),
        text: z.string(),
      }),
    ),
    usage: Usage,
  })
  .meta({ id: 'TranscriptionDiarized' });

export const TranscriptionVerboseJson = z
  .object({
    task: z.enum(['transcribe', 'translate']),
    language: z.string().describe('Full lowercase English name, e.g. `english`.'),
    duration: z.number(),
    text: z.string(),
    segments: z.array(Segment).optional(),
    words: z.array(Word).optional(),
    usage: Usage,
  })
  .meta({ id: 'TranscriptionVerbose' });

const plain = z.string();

/** 200 replies by content type: JSON formats, plain text (text, srt), WebVTT, and SSE. */
function okResponses(withStream: boolean) {
  return {
    200: {
      description: 'The transcript, in the requested format.',
      content: {
        // Verbose first: zod unions strip unknown keys, so the wider shape must be tried first.
        'application/json': { schema: z.union([TranscriptionVerboseJson, TranscriptionDiarized, TranscriptionJson]) },
        'text/plain': { schema: plain.describe('`text` and `srt` formats.') },
        'text/vtt': { schema: plain.describe('`vtt` format.') },
        ...(withStream
          ? {
              'text/event-stream': {
                schema: plain.describe(
                  'With `stream=true`: `data: {"type":"transcript.text.delta","delta":...}` per segment, then `transcript.text.done` with text and usage, then `data: [DONE]`. With `include[]=logprobs` the deltas and the done event carry `logprobs`. With `response_format=diarized_json`, each speaker segment is a delta (with `segment_id`) followed by a `transcript.text.segment` event, before `transcript.text.done`. A failure after the stream started is `data: {"type":"error","error":{...}}`.',
                ),
              },
            }
          : {}),
      },
    },
  };
}

const errorsOf = errorResponses(400, 401, 404, 413, 415, 429, 500, 503);

export const transcriptionResponses = { ...okResponses(true), ...errorsOf };
export const translationResponses = { ...okResponses(false), ...errorsOf };
export { ErrorBody };
