/**
 * The cross-field rules of a transcription request, as the hosted API applies them: what the
 * diarization model refuses (prompt, logprobs, timestamp granularities, formats other than
 * json/text/diarized_json), what only it takes (diarized_json, known speakers), and the pairing
 * of known_speaker_names[] with known_speaker_references[] (data URLs). Pure: every failure is
 * the OpenAI 400 naming the field.
 */
import { errors } from '../errors.js';
import { DIARIZE_FORMATS, type ResponseFormat } from '../format/types.js';
import { isDiarizeModel } from '../services/diarized-transcription.js';
import { parseDataUrl } from './data-url.js';

export interface TranscriptionFields {
  model: string;
  response_format: ResponseFormat;
  prompt?: string;
  include?: 'logprobs'[];
  timestamp_granularities?: ('word' | 'segment')[];
  known_speaker_names?: string[];
  known_speaker_references?: string[];
}

export interface CheckedFields {
  diarize: boolean;
  logprobs: boolean;
  /** Decoded reference clips, paired with their names. */
  knownSpeakers: { name: string; bytes: Buffer }[];
}

export function checkTranscriptionFields(b: TranscriptionFields): CheckedFields {
  const diarize = isDiarizeModel(b.model);
  const granularities = b.timestamp_granularities ?? [];
  const logprobs = b.include?.includes('logprobs') ?? false;
  const names = b.known_speaker_names ?? [];
  const refs = b.known_speaker_references ?? [];
  const refuse = (param: string, what: string) =>
    errors.unsupportedParameter(param, `${what} is not supported with model '${b.model}'.`);

  if (diarize) {
    if (b.prompt !== undefined) throw refuse('prompt', 'prompt');
    if (logprobs) throw refuse('include', 'include[]=logprobs');
    if (granularities.length) throw refuse('timestamp_granularities', 'timestamp_granularities[]');
    if (!(DIARIZE_FORMATS as readonly string[]).includes(b.response_format)) {
      throw errors.invalidRequest(
        `response_format '${b.response_format}' is not available with model '${b.model}'; use ${DIARIZE_FORMATS.join(', ')}.`,
        'response_format',
        'unsupported_value',
      );
    }
  } else {
    if (b.response_format === 'diarized_json') {
      throw errors.invalidRequest(
        "response_format 'diarized_json' needs model 'gpt-4o-transcribe-diarize' (speaker labels).",
        'response_format',
        'unsupported_value',
      );
    }
    if (names.length || refs.length) {
      throw errors.unsupportedParameter(names.length ? 'known_speaker_names' : 'known_speaker_references', "known speakers need model 'gpt-4o-transcribe-diarize'.");
    }
  }
  if (granularities.includes('word') && b.response_format !== 'verbose_json') {
    throw errors.invalidRequest("timestamp_granularities[]=word requires response_format 'verbose_json'.", 'timestamp_granularities');
  }
  if (logprobs && b.response_format !== 'json') {
    throw errors.invalidRequest(`include[]=logprobs requires response_format 'json' (got '${b.response_format}').`, 'include');
  }

  if (names.length !== refs.length) {
    throw errors.invalidRequest(
      `known_speaker_names[] and known_speaker_references[] must pair up: got ${names.length} name(s) and ${refs.length} reference(s).`,
      names.length < refs.length ? 'known_speaker_names' : 'known_speaker_references',
    );
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw errors.invalidRequest(`known_speaker_names[] has '${name}' twice.`, 'known_speaker_names');
    seen.add(name);
  }
  const knownSpeakers = refs.map((ref, i) => {
    const parsed = parseDataUrl(ref);
    if (typeof parsed === 'string') {
      throw errors.invalidRequest(`known_speaker_references[${i}] is not a valid data URL: ${parsed}.`, 'known_speaker_references');
    }
    return { name: names[i], bytes: parsed.bytes };
  });
  return { diarize, logprobs, knownSpeakers };
}
