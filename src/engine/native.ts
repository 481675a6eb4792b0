/**
 * The only module that touches the smart-whisper addon. It loads the compiled .node file
 * directly (not smart-whisper's JS wrapper, which keeps every task result forever) and
 * describes the patched binding's surface in types.
 */
import { createRequire } from 'node:module';
import { chooseAddon, type CpuVariant } from './cpu-variant.js';

export interface NativeToken {
  text: string;
  id: number;
  p: number;
  plog: number;
  /** Milliseconds; meaningful only with token_timestamps. */
  from: number;
  to: number;
}

export interface NativeSegment {
  index: number;
  /** Milliseconds. */
  from: number;
  to: number;
  temperature: number;
  /** Probability of <|nospeech|> at the start of the segment's 30 s window (openai-whisper's rule). */
  no_speech_prob: number;
  text: string;
  tokens: NativeToken[];
}

export interface NativeResult {
  segments: NativeSegment[];
  language: string;
}

export interface NativeModelInfo {
  type: string;
  multilingual: boolean;
  n_vocab: number;
  n_mels: number;
  token_eot: number;
  token_beg: number;
}

export type NativeHandle = { readonly __brand: 'whisper_context' };
/** A whisper_state: KV caches and compute buffers, reused by one transcription at a time. */
export type NativeState = { readonly __brand: 'whisper_state' };
/** A whisper_vad_context: Silero weights plus the LSTM state of one audio stream. */
export type NativeVad = { readonly __brand: 'whisper_vad_context' };

/** whisper_vad_params, as the binding names them. */
export interface NativeVadParams {
  threshold?: number;
  min_speech_duration_ms?: number;
  min_silence_duration_ms?: number;
  max_speech_duration_s?: number;
  speech_pad_ms?: number;
}

export interface NativeModel {
  readonly handle: NativeHandle | null;
  readonly freed: boolean;
  free(): Promise<void>;
}

/** Parameter names are whisper.cpp's whisper_full_params fields. */
export type NativeParams = Record<string, string | number | boolean | undefined>;

export interface NativeBinding {
  WhisperModel: { load(path: string, gpu: boolean, flashAttn?: boolean): Promise<NativeModel> };
  /** whisper.cpp's version string ("1.9.1"). */
  whisperVersion: string;
  /** Language codes by whisper.cpp language id (the index into languageProbs' result). */
  languageCodes: string[];
  /** Spoken-language probabilities from the first 30 s, per language id; uses the state's mel buffer. */
  languageProbs(handle: NativeHandle, state: NativeState, pcm: Float32Array, threads: number): Promise<Float32Array>;
  createState(handle: NativeHandle): Promise<NativeState>;
  /** The caller guarantees no transcription is using the state. */
  freeState(state: NativeState): void;
  transcribe(
    handle: NativeHandle,
    /** null: a state is made and freed for this call. */
    state: NativeState | null,
    pcm: Float32Array,
    params: NativeParams,
    abortFlag: Int32Array | null,
    onSegment?: (segment: NativeSegment) => void,
    onProgress?: (percent: number) => void,
  ): Promise<NativeResult>;
  modelInfo(handle: NativeHandle): NativeModelInfo;
  setLogVerbosity(level: 0 | 1 | 2 | 3): void;
  vadLoad(path: string, threads: number): Promise<NativeVad>;
  /** One probability per 512-sample frame (a partial last frame is zero-padded); reset zeroes the LSTM first. */
  vadProbs(vad: NativeVad, pcm: Float32Array, reset: boolean): Promise<Float32Array>;
  /** Speech spans in seconds. */
  vadSegments(vad: NativeVad, pcm: Float32Array, params: NativeVadParams): Promise<{ start: number; end: number }[]>;
  vadReset(vad: NativeVad): void;
  /** The caller guarantees no call on it is running. */
  vadFree(vad: NativeVad): void;
}

let binding: NativeBinding | undefined;
let loadedVariant: CpuVariant | 'custom' | undefined;

/** Which build was loaded: a CPU variant, or 'custom' (WHISPER_ADDON_PATH). */
export const addonVariant = () => loadedVariant;

/**
 * Loads the addon once: the best CPU variant this machine runs (cpu-variant.ts).
 * WHISPER_ADDON_PATH selects another build of the same binding (the BYOL CPU and CUDA builds are
 * tested this way without replacing node_modules).
 */
export function loadBinding(addonPath = process.env.WHISPER_ADDON_PATH): NativeBinding {
  if (!binding) {
    const require = createRequire(import.meta.url);
    if (addonPath) {
      binding = require(addonPath) as NativeBinding;
      loadedVariant = 'custom';
    } else {
      const chosen = chooseAddon(require.resolve('smart-whisper/build/Release/smart-whisper.node'));
      binding = require(chosen.file) as NativeBinding;
      loadedVariant = chosen.variant;
    }
  }
  return binding;
}
