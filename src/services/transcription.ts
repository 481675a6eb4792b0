/**
 * The one data path: decode the spooled upload to 16 kHz PCM, wait for a slot on the model,
 * run whisper, hand back a domain Transcript. Knows nothing about HTTP; the narrow deps make
 * it testable with object literals.
 */
import { performance } from 'node:perf_hooks';
import type { AudioDecoder, DecodedAudio } from '../audio/types.js';
import { LONG_FORM } from '../engine/chunk-plan.js';
import { transcribeLongForm } from '../engine/long-form.js';
import { SAMPLE_RATE, type DecodeParams, type ModelPool, type Priority, type Segment, type SpeechSpan, type Task, type Transcript, type VadParams, type VoiceActivityDetector } from '../engine/types.js';
import type { Diarizer } from '../diarization/types.js';
import { errors } from '../errors.js';
import {
  decodeReferences,
  isDiarizeModel,
  onceOnly,
  requireChunking,
  transcribeDiarized,
  type DiarizeOptions,
} from './diarized-transcription.js';
import { segmentSpeller, spellKeywords } from './keyword-spelling.js';
import { languageChoice, promptWithKeywords } from './language-keywords.js';
import type { ModelCatalog } from './models.js';
import { shortWindowFrames } from '../engine/short-window.js';

export interface TranscriptionRequest {
  /** A file on disk: ffmpeg needs to seek in some containers (MP4/M4A). */
  filePath: string;
  /**
   * The same audio, decoded while it was uploaded (audio/early-decode.ts), mono; undefined there
   * (it failed, or the file was not decoded early): the file is decoded as before.
   */
  decoded?: Promise<DecodedAudio | undefined>;
  /** As the client sent it; aliases allowed. */
  model: string;
  task: Task;
  /** Whisper language code, already validated. */
  language?: string;
  prompt?: string;
  temperature?: number;
  wordTimestamps?: boolean;
  signal?: AbortSignal;
  /** Pool priority: 'live' realtime turns, 'interactive' synchronous requests (default), 'batch' async jobs. */
  priority?: Priority;
  /** Overrides the service's MAX_AUDIO_SECONDS (async jobs and SageMaker async take longer audio). */
  maxAudioSeconds?: number;
  /** OpenAI's chunking_strategy; absent: the server's VAD_FILTER default. */
  chunking?: ChunkingStrategy;
  /** OpenAI's keywords[]: words to bias decoding towards (through the prompt). */
  keywords?: string[];
  /** OpenAI's languages[]: the possible languages (validated codes). */
  languages?: string[];
  /** Diarization (gpt-4o-transcribe-diarize): the transcript comes back with `speakers`. */
  diarize?: DiarizeOptions;
}

/**
 * How a file is cut before decoding. 'auto': Silero VAD with the server's measured settings (only
 * speech is decoded); server_vad: VAD with the client's settings (OpenAI's defaults for the rest);
 * 'off' (server default only): the whole file.
 */
export type ChunkingStrategy =
  | 'auto'
  | 'off'
  | { type: 'server_vad'; threshold?: number; prefixPaddingMs?: number; silenceDurationMs?: number };

/**
 * OpenAI's `chunking_strategy` field as every door takes it (the audio routes, async jobs, where
 * it is stored on the job as sent, and SageMaker's /invocations); chunkingOf maps it to ChunkingStrategy.
 */
export type ChunkingStrategyField =
  | 'auto'
  | { type: 'server_vad'; threshold?: number; prefix_padding_ms?: number; silence_duration_ms?: number };

/** OpenAI's chunking_strategy field, in the service's vocabulary; absent stays absent (the server default). */
export function chunkingOf(c: ChunkingStrategyField | undefined): ChunkingStrategy | undefined {
  if (c === undefined || c === 'auto') return c;
  return { type: 'server_vad', threshold: c.threshold, prefixPaddingMs: c.prefix_padding_ms, silenceDurationMs: c.silence_duration_ms };
}

/**
 * The server's 'auto' VAD settings (BENCHMARKS.md, "VAD filter"): generous padding and a long
 * minimum silence, so VAD only removes what is clearly not speech and never clips a word.
 */
export const AUTO_VAD: VadParams = { threshold: 0.5, prefixPaddingMs: 400, silenceDurationMs: 1000, minSpeechMs: 250 };
/** OpenAI's documented server_vad defaults, for the fields a client leaves out. */
export const SERVER_VAD_DEFAULTS: VadParams = { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 200, minSpeechMs: 250 };

/** The VAD a file request gets; undefined: decode everything. */
export function vadFor(chunking: ChunkingStrategy | undefined, server: { default: 'auto' | 'off'; available: boolean }): VadParams | undefined {
  const strategy = chunking ?? server.default;
  if (strategy === 'off') return undefined;
  // 'auto' means "the server chooses": without a VAD model, the whole file.
  if (strategy === 'auto') return server.available ? AUTO_VAD : undefined;
  // An explicit server_vad without a VAD model is refused by the engine (vad_unavailable).
  return {
    threshold: strategy.threshold ?? SERVER_VAD_DEFAULTS.threshold,
    prefixPaddingMs: strategy.prefixPaddingMs ?? SERVER_VAD_DEFAULTS.prefixPaddingMs,
    silenceDurationMs: strategy.silenceDurationMs ?? SERVER_VAD_DEFAULTS.silenceDurationMs,
    minSpeechMs: SERVER_VAD_DEFAULTS.minSpeechMs,
  };
}

/** Audio already in memory as 16 kHz mono PCM (realtime turns): no file, no ffmpeg. */
export interface PcmTranscriptionRequest extends Omit<TranscriptionRequest, 'filePath' | 'task'> {
  pcm: Float32Array;
  /** This beam whatever BEAM_SIZE says (realtime turn decodes); 1 is greedy, with best_of 1. */
  beamSize?: number;
  /** Encode only about as many frames as the audio has (see audioCtxFor): realtime turns. */
  shortWindow?: boolean;
  /** false: no temperature fallback (realtime partials, DecodeParams.fallback). */
  fallback?: boolean;
}

/** Encoder frames for `samples` of 16 kHz audio under the short-window policy, at most the 30 s window. */
export function audioCtxFor(samples: number): number {
  return shortWindowFrames(samples) ?? 1500;
}

export interface TranscriptionHooks {
  /** Called once a slot is held, right before compute starts (streaming sends headers here). */
  onStart?: () => void;
  onSegment?: (segment: Segment) => void;
  /** Called once the audio is decoded, with its duration in seconds (async jobs: progress, backlog). */
  onDecoded?: (audioSeconds: number) => void;
}

export interface JobObserver {
  jobDone(e: { model: string; task: Task; audioSeconds: number; processingSeconds: number }): void;
}

export interface TranscriptionService {
  transcribe(req: TranscriptionRequest, hooks?: TranscriptionHooks): Promise<Transcript>;
  /** The same path from PCM on: checks, a pool slot at the request's priority, whisper. */
  transcribePcm(req: PcmTranscriptionRequest, hooks?: TranscriptionHooks): Promise<Transcript>;
}

export interface TranscriptionServiceDeps {
  pool: Pick<ModelPool, 'withModel'>;
  decoder: AudioDecoder;
  models: Pick<ModelCatalog, 'require' | 'defaultModel'>;
  observer?: JobObserver;
  maxAudioSeconds: number;
  /** Server-side decoding defaults (BEAM_SIZE, BEST_OF, THREADS_PER_REQUEST: unset = the pool's share). */
  defaults: Pick<DecodeParams, 'beamSize' | 'bestOf' | 'threads'>;
  /** SHORT_WINDOW: file clips shorter than the 30 s window encode over their own length (default on). */
  shortWindow?: boolean;
  /**
   * LONG_FORM=chunked: files of 30 s and more are cut at Silero's pauses into chunks of at most
   * 28 s, each decoded once over its own length (engine/long-form.ts). Needs the detector; without
   * it (or with 'windows') whisper.cpp slides its 30 s windows as before.
   */
  longForm?: {
    mode: 'chunked' | 'windows';
    detector?: Pick<VoiceActivityDetector, 'detect'>;
    /** Beam width for the chunks (unset: the request's); LONG_FORM_BEAM_SIZE. */
    beamSize?: number;
    /** Chunks decoding at once (unset: one per thread of the share); LONG_FORM_WORKERS. */
    maxWorkers?: number;
  };
  /** VAD_FILTER, and whether the engine has a VAD model loaded. Absent: no VAD unless asked. */
  vad?: { default: 'auto' | 'off'; available: boolean };
  /** The speaker models (src/diarization). Absent: only stereo files split by channel are diarized. */
  diarizer?: Diarizer;
}

export function createTranscriptionService(deps: TranscriptionServiceDeps): TranscriptionService {
  const checkModel = (req: { model: string; task: Task; language?: string }) => {
    const info = deps.models.require(req.model);
    if (!info.multilingual) {
      if (req.task === 'translate') {
        throw errors.invalidRequest(
          `Model '${req.model}' is English-only and cannot translate; use a multilingual model (for example 'base').`,
          'model',
          'model_not_multilingual',
        );
      }
      if (req.language && req.language !== 'en') {
        throw errors.invalidRequest(
          `Model '${req.model}' is English-only; it cannot transcribe language '${req.language}'.`,
          'language',
          'unsupported_language',
        );
      }
    }
    return info;
  };

  const run = (
    modelName: string,
    pcm: Float32Array,
    duration: number,
    req: Pick<TranscriptionRequest, 'task' | 'signal' | 'priority'>,
    params: DecodeParams,
    hooks: TranscriptionHooks,
    speech?: SpeechSpan[],
  ) =>
    // The pool answers a full queue with errors.queueFull(retryAfter estimated from its stats).
    deps.pool.withModel(modelName, req.signal, async (model, signal, lease) => {
      hooks.onStart?.();
      const started = performance.now();
      // THREADS_PER_REQUEST pins the count; otherwise the pool's work-conserving share.
      const threads = params.threads ?? lease?.threads;
      const hooksIn = { signal, onSegment: hooks.onSegment };
      const transcript = speech
        ? await transcribeLongForm(model, pcm, speech, { ...params, threads, ...longFormBeam(params) }, hooksIn, { maxWorkers: deps.longForm?.maxWorkers })
        : await model.transcribe(pcm, { ...params, threads }, hooksIn);
      deps.observer?.jobDone({
        model: modelName,
        task: req.task,
        audioSeconds: duration,
        processingSeconds: (performance.now() - started) / 1000,
      });
      return transcript;
    }, { priority: req.priority ?? 'interactive' });

  // A request that asked for greedy decoding stays greedy; the temperature fallback keeps its best_of.
  const longFormBeam = (params: DecodeParams) =>
    deps.longForm?.beamSize && (params.beamSize ?? 1) > 1 ? { beamSize: deps.longForm.beamSize } : {};

  return {
    async transcribe(request, hooks = {}) {
      // The diarization model is DEFAULT_MODEL's whisper plus the speaker step.
      const req = request.diarize && isDiarizeModel(request.model) ? { ...request, model: deps.models.defaultModel } : request;
      const choice = languageChoice(req.language, req.languages, {
        model: req.model,
        multilingual: () => deps.models.require(req.model).multilingual,
      });
      const info = checkModel({ ...req, language: choice.language });

      // References first: they are small, and a bad one should fail before the big decode.
      const known = req.diarize?.knownSpeakers?.length
        ? await decodeReferences(deps.decoder, req.diarize.knownSpeakers, req.signal)
        : [];
      if (known.length && !deps.diarizer) throw errors.diarizationUnavailable();

      // Decode before queueing: a bad file fails fast and never holds a model slot.
      const maxAudioSeconds = req.maxAudioSeconds ?? deps.maxAudioSeconds;
      // Decoded while it was uploaded, where that worked (mono only: diarization reads both channels).
      const early = req.diarize ? undefined : await req.decoded;
      const audio =
        early && early.duration <= maxAudioSeconds
          ? early
          : await deps.decoder.decodeFile(req.filePath, {
              signal: req.signal,
              maxDurationSeconds: maxAudioSeconds,
              ...(req.diarize ? { channels: 2 as const } : {}),
            });
      if (audio.duration > maxAudioSeconds) throw errors.audioTooLong(audio.duration, maxAudioSeconds);
      if (audio.pcm.length === 0) throw errors.unsupportedAudio('the file contains no audio samples');
      if (req.diarize) requireChunking(audio.duration, req.chunking);
      hooks.onDecoded?.(audio.duration);

      const params: DecodeParams = {
        ...deps.defaults,
        language: choice.language,
        ...(choice.languages ? { languages: choice.languages } : {}),
        translate: req.task === 'translate',
        prompt: promptWithKeywords(req.prompt, req.keywords),
        temperature: req.temperature,
        wordTimestamps: req.wordTimestamps,
        vad: vadFor(req.chunking, deps.vad ?? { default: 'off', available: false }),
        audioCtx: deps.shortWindow === false ? undefined : shortWindowFrames(audio.pcm.length),
      };
      // Long files: find the speech before taking a model slot, then decode it in chunks.
      const detector = deps.longForm?.mode === 'chunked' ? deps.longForm.detector : undefined;
      const speechIn = async (pcm: Float32Array, seconds: number) =>
        detector && params.vad && seconds >= LONG_FORM.minSeconds ? await detector.detect(pcm, params.vad, req.signal) : undefined;
      const speller = segmentSpeller(req.keywords);
      if (!req.diarize) {
        const speech = await speechIn(audio.pcm, audio.duration);
        const onSegment = speller && hooks.onSegment ? (s: Segment) => hooks.onSegment!(speller(s)) : hooks.onSegment;
        return spellKeywords(await run(info.name, audio.pcm, audio.duration, req, params, { ...hooks, onSegment }, speech), req.keywords);
      }
      // Speaker segments are known only at the end: the stream gets them then, not per whisper segment.
      const quiet: TranscriptionHooks = { onStart: onceOnly(hooks.onStart) };
      const diarized = await transcribeDiarized(
        {
          decoder: deps.decoder,
          diarizer: deps.diarizer,
          transcribe: async (pcm, p, signal) => {
            const seconds = pcm.length / SAMPLE_RATE;
            return run(info.name, pcm, seconds, { ...req, signal }, p, quiet, await speechIn(pcm, seconds));
          },
        },
        audio,
        params,
        known,
        req.signal,
      );
      return spellKeywords(diarized, req.keywords);
    },
    async transcribePcm(req, hooks = {}) {
      const info = checkModel({ ...req, task: 'transcribe' });
      const duration = req.pcm.length / SAMPLE_RATE;
      if (duration > deps.maxAudioSeconds) throw errors.audioTooLong(duration, deps.maxAudioSeconds);
      const params: DecodeParams = {
        ...deps.defaults,
        ...(req.beamSize ? { beamSize: req.beamSize, ...(req.beamSize === 1 ? { bestOf: 1 } : {}) } : {}),
        ...(req.shortWindow && req.pcm.length < 30 * SAMPLE_RATE ? { audioCtx: audioCtxFor(req.pcm.length) } : {}),
        language: req.language,
        prompt: req.prompt,
        temperature: req.temperature,
        ...(req.fallback === false ? { fallback: false } : {}),
        wordTimestamps: req.wordTimestamps,
      };
      return run(info.name, req.pcm, duration, { task: 'transcribe', signal: req.signal, priority: req.priority }, params, hooks);
    },
  };
}

