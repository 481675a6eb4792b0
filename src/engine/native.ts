/**
 * The only module that touches the smart-whisper addon. It loads the compiled .node file
 * directly (not smart-whisper's JS wrapper, which keeps every task result forever) and
 * describes the patched binding's surface in types.
 */
import { createRequire } from 'node:module';

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

export interface NativeModel {
  readonly handle: NativeHandle | null;
  readonly freed: boolean;
  free(): Promise<void>;
}

/** Parameter names are whisper.cpp's whisper_full_params fields. */
export type NativeParams = Record<string, string | number | boolean | undefined>;

export interface NativeBinding {
  WhisperModel: { load(path: string, gpu: boolean): Promise<NativeModel> };
  transcribe(
    handle: NativeHandle,
    pcm: Float32Array,
    params: NativeParams,
    abortFlag: Int32Array | null,
    onSegment?: (segment: NativeSegment) => void,
    onProgress?: (percent: number) => void,
  ): Promise<NativeResult>;
  modelInfo(handle: NativeHandle): NativeModelInfo;
  setLogVerbosity(level: 0 | 1 | 2 | 3): void;
}

let binding: NativeBinding | undefined;

/**
 * Loads the addon once. WHISPER_ADDON_PATH selects another build of the same binding (the BYOL
 * CPU and CUDA builds are tested this way without replacing node_modules).
 */
export function loadBinding(addonPath = process.env.WHISPER_ADDON_PATH): NativeBinding {
  if (!binding) {
    const require = createRequire(import.meta.url);
    const path = addonPath || require.resolve('smart-whisper/build/Release/smart-whisper.node');
    binding = require(path) as NativeBinding;
  }
  return binding;
}
