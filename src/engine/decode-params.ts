/**
 * Maps the domain DecodeParams onto whisper.cpp's whisper_full_params (pure, unit-tested).
 */
import type { DecodeParams } from './types.js';
import type { NativeParams } from './native.js';
import { continuedWindowFrames } from './short-window.js';

/** Documented defaults: the values of OpenAI's reference implementation (whisper/transcribe.py). */
export const DECODE_DEFAULTS = {
  beamSize: 5,
  bestOf: 5,
  /** OpenAI's fallback schedule: 0.0, 0.2, ... 1.0. */
  temperatureIncrement: 0.2,
  /** whisper.cpp's stand-in for OpenAI's compression_ratio_threshold (2.4). */
  entropyThreshold: 2.4,
  logprobThreshold: -1.0,
  noSpeechThreshold: 0.6,
  /** Speech shorter than this is not speech (whisper.cpp's and faster-whisper's default). */
  vadMinSpeechMs: 250,
} as const;

export interface NativeParamOptions {
  /** An English-only model ignores language and cannot translate. */
  multilingual: boolean;
  defaultThreads: number;
  /** The Silero model whisper_full loads (once per reused state) when params.vad is set. */
  vadModelPath?: string;
}

/** The short window's policy for whisper.cpp's later windows of one call (see continuedWindowFrames). */
function continuedWindow() {
  const { floor, margin } = continuedWindowFrames();
  return { audio_ctx_floor: floor, audio_ctx_margin: margin };
}

export function toNativeParams(p: DecodeParams, opts: NativeParamOptions): NativeParams {
  const temperature = p.temperature ?? 0;
  const beamSize = p.beamSize ?? DECODE_DEFAULTS.beamSize;
  const params: NativeParams = {
    n_threads: Math.max(1, p.threads ?? opts.defaultThreads),
    // States are reused across requests (state-pool.ts): never let one request's text prompt the next.
    no_context: true,
    language: opts.multilingual ? (p.language ?? 'auto') : 'en',
    translate: opts.multilingual && (p.translate ?? false),
    initial_prompt: p.prompt || undefined,
    // 0 → start greedy and fall back upward; > 0 → sample at exactly that temperature.
    temperature,
    temperature_inc: temperature === 0 && p.fallback !== false ? DECODE_DEFAULTS.temperatureIncrement : 0,
    entropy_thold: DECODE_DEFAULTS.entropyThreshold,
    logprob_thold: DECODE_DEFAULTS.logprobThreshold,
    beam_size: beamSize > 1 ? beamSize : undefined,
    best_of: p.bestOf ?? DECODE_DEFAULTS.bestOf,
    token_timestamps: p.wordTimestamps ?? false,
    audio_ctx: p.audioCtx,
    // A short window's later windows (the decode stopped early and reads the rest again) shrink to what is left.
    ...(p.audioCtx ? continuedWindow() : {}),
    // As openai-whisper's default suppress_tokens="-1".
    suppress_non_speech_tokens: true,
    suppress_blank: true,
    // openai-whisper's rule, applied by whisper.cpp per 30 s window: no-speech probability above
    // this and an average log-probability under logprob_thold drops the window's text.
    no_speech_thold: DECODE_DEFAULTS.noSpeechThreshold,
  };
  if (p.vad) {
    if (!opts.vadModelPath) throw new Error('VAD requested but no VAD model is loaded');
    Object.assign(params, {
      vad: true,
      vad_model_path: opts.vadModelPath,
      vad_threshold: p.vad.threshold,
      vad_min_silence_duration_ms: p.vad.silenceDurationMs,
      vad_speech_pad_ms: p.vad.prefixPaddingMs,
      vad_min_speech_duration_ms: p.vad.minSpeechMs ?? DECODE_DEFAULTS.vadMinSpeechMs,
    });
  }
  // The binding reads every present key as a value: drop the absent ones.
  for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key];
  return params;
}
