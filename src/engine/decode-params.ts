/**
 * Maps the domain DecodeParams onto whisper.cpp's whisper_full_params (pure, unit-tested).
 */
import type { DecodeParams } from './types.js';
import type { NativeParams } from './native.js';

/** Documented defaults: the values of OpenAI's reference implementation (whisper/transcribe.py). */
export const DECODE_DEFAULTS = {
  beamSize: 5,
  bestOf: 5,
  /** OpenAI's fallback schedule: 0.0, 0.2, ... 1.0. */
  temperatureIncrement: 0.2,
  /** whisper.cpp's stand-in for OpenAI's compression_ratio_threshold (2.4). */
  entropyThreshold: 2.4,
  logprobThreshold: -1.0,
} as const;

export interface NativeParamOptions {
  /** An English-only model ignores language and cannot translate. */
  multilingual: boolean;
  defaultThreads: number;
}

export function toNativeParams(p: DecodeParams, opts: NativeParamOptions): NativeParams {
  const temperature = p.temperature ?? 0;
  const beamSize = p.beamSize ?? DECODE_DEFAULTS.beamSize;
  const params: NativeParams = {
    n_threads: Math.max(1, p.threads ?? opts.defaultThreads),
    language: opts.multilingual ? (p.language ?? 'auto') : 'en',
    translate: opts.multilingual && (p.translate ?? false),
    initial_prompt: p.prompt || undefined,
    // 0 → start greedy and fall back upward; > 0 → sample at exactly that temperature.
    temperature,
    temperature_inc: temperature === 0 ? DECODE_DEFAULTS.temperatureIncrement : 0,
    entropy_thold: DECODE_DEFAULTS.entropyThreshold,
    logprob_thold: DECODE_DEFAULTS.logprobThreshold,
    beam_size: beamSize > 1 ? beamSize : undefined,
    best_of: p.bestOf ?? DECODE_DEFAULTS.bestOf,
    token_timestamps: p.wordTimestamps ?? false,
    // As openai-whisper's default suppress_tokens="-1".
    suppress_non_speech_tokens: true,
    suppress_blank: true,
  };
  // The binding reads every present key as a value: drop the absent ones.
  for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key];
  return params;
}
