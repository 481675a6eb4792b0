/**
 * gpt-4o-transcribe-diarize: a transcript whose text is cut by speaker. Two ways to find the
 * speakers. A stereo file whose channels differ (channels.ts) is transcribed channel by
 * channel, no model needed. Anything else goes to the Diarizer (speaker models) while whisper
 * runs, and the words are labelled by time overlap. Either the whole answer is labelled or the
 * request fails: a failure of one side aborts the other.
 */
import type { DecodedAudio, AudioDecoder } from '../audio/types.js';
import { channelsAreDistinct, mergeChannelTranscripts } from '../diarization/channels.js';
import type { Diarizer, KnownSpeaker } from '../diarization/types.js';
import type { DecodeParams, Transcript } from '../engine/types.js';
import { ApiError, errors } from '../errors.js';
import { labelSpeakers } from './speaker-labels.js';

/** OpenAI's diarization model, and this server's own name for the same thing. */
export const DIARIZE_MODELS: readonly string[] = ['gpt-4o-transcribe-diarize', 'whisper-diarize'];
export const isDiarizeModel = (model: string) => DIARIZE_MODELS.includes(model);

/** OpenAI: references are 2–10 s; longer inputs need chunking_strategy. */
export const REFERENCE_SECONDS = { min: 2, max: 10 } as const;
export const MAX_UNCHUNKED_SECONDS = 30;

export interface DiarizeOptions {
  /** Known speakers: a name and a spooled reference clip each. */
  knownSpeakers?: { name: string; filePath: string }[];
}

export interface DiarizeDeps {
  decoder: AudioDecoder;
  diarizer?: Diarizer;
  /** One whisper pass through the pool (the service's run). */
  transcribe: (pcm: Float32Array, params: DecodeParams, signal: AbortSignal) => Promise<Transcript>;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** OpenAI: the diarization model needs chunking_strategy for inputs over 30 s. */
export function requireChunking(seconds: number, chunking: unknown): void {
  if (seconds <= MAX_UNCHUNKED_SECONDS || chunking !== undefined) return;
  throw errors.invalidRequest(
    `chunking_strategy is required for diarization of audio longer than ${MAX_UNCHUNKED_SECONDS} s (this file: ${seconds.toFixed(1)} s); send chunking_strategy=auto.`,
    'chunking_strategy',
    'missing_required_parameter',
  );
}

/** Diarizing a stereo file runs whisper once per channel; the stream starts at the first. */
export function onceOnly(fn: (() => void) | undefined): (() => void) | undefined {
  let done = false;
  return fn && (() => {
    if (done) return;
    done = true;
    fn();
  });
}

/** Decodes and checks the reference clips; every failure is a 400 on known_speaker_references. */
export async function decodeReferences(
  decoder: AudioDecoder,
  refs: readonly { name: string; filePath: string }[],
  signal?: AbortSignal,
): Promise<KnownSpeaker[]> {
  const out: KnownSpeaker[] = [];
  for (const [i, ref] of refs.entries()) {
    const param = 'known_speaker_references';
    const audio = await decoder
      .decodeFile(ref.filePath, { signal, maxDurationSeconds: REFERENCE_SECONDS.max + 1 })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 400) {
          const reason = err.code === 'audio_too_long' ? `it is longer than ${REFERENCE_SECONDS.max} s` : `it is not audio (${err.message})`;
          throw errors.invalidRequest(`known_speaker_references[${i}] (${ref.name}) is invalid: ${reason}.`, param);
        }
        throw err;
      });
    const seconds = round2(audio.duration);
    if (seconds < REFERENCE_SECONDS.min || seconds > REFERENCE_SECONDS.max) {
      throw errors.invalidRequest(
        `known_speaker_references[${i}] (${ref.name}) is ${seconds} s long; a reference must be ${REFERENCE_SECONDS.min}–${REFERENCE_SECONDS.max} s.`,
        param,
      );
    }
    out.push({ name: ref.name, pcm: audio.pcm });
  }
  return out;
}

export async function transcribeDiarized(
  deps: DiarizeDeps,
  audio: DecodedAudio,
  params: DecodeParams,
  known: readonly KnownSpeaker[],
  signal?: AbortSignal,
): Promise<Transcript> {
  const ac = new AbortController();
  const onAbort = () => ac.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  // Whichever side fails first stops the other: never a half-labelled success.
  const guard = <T>(p: Promise<T>) => p.catch((err: unknown) => {
    ac.abort(err);
    throw err;
  });
  try {
    const [left, right] = audio.channels ?? [];
    if (known.length === 0 && left && right && channelsAreDistinct(left, right)) {
      const perChannel = await Promise.all([left, right].map((pcm) => guard(deps.transcribe(pcm, params, ac.signal))));
      return mergeChannelTranscripts(perChannel);
    }
    const diarizer = deps.diarizer;
    if (!diarizer) throw errors.diarizationUnavailable();
    const [transcript, turns] = await Promise.all([
      guard(deps.transcribe(audio.pcm, { ...params, wordTimestamps: true }, ac.signal)),
      guard(
        diarizer.diarize(audio.pcm, { knownSpeakers: [...known], signal: ac.signal }).catch((err: unknown) => {
          throw err instanceof ApiError ? err : errors.diarizationFailed((err as Error)?.message ?? String(err), err);
        }),
      ),
    ]);
    if (transcript.segments.length === 0) return { ...transcript, speakers: [] };
    if (turns.length === 0) throw errors.diarizationFailed('the speaker models found no speech where whisper did');
    const speakers = labelSpeakers(transcript, turns, known.map((k) => k.name));
    // The text of a diarized answer is its speaker segments in order.
    return { ...transcript, text: speakers.map((s) => s.text).join(' '), speakers };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
