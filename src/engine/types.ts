/**
 * Domain types shared by the engine, the pool, the services and the renderers.
 * Nothing here knows about HTTP or about the native addon.
 */

/** One decoded segment, with every field OpenAI's verbose_json carries. Times are seconds. */
export interface Segment {
  id: number;
  seek: number;
  start: number;
  end: number;
  text: string;
  tokens: number[];
  temperature: number;
  avg_logprob: number;
  compression_ratio: number;
  no_speech_prob: number;
  /** The text tokens' log probabilities; concatenated, their `token`s spell `text` exactly. */
  logprobs?: TokenLogprob[];
}

/** One token of OpenAI's `logprobs` (include[]=logprobs): its text, log probability and UTF-8 bytes. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

/** A word with timestamps derived from whisper.cpp token timestamps. Times are seconds. */
export interface Word {
  word: string;
  start: number;
  end: number;
  probability: number;
}

export type Task = 'transcribe' | 'translate';

export interface Transcript {
  task: Task;
  /** ISO 639-1 code as whisper.cpp reports it ("en", "de", ...). Renderers map it to a name. */
  language: string;
  /** Seconds of input audio (before any padding). */
  duration: number;
  text: string;
  segments: Segment[];
  /** Present only when word timestamps were requested. */
  words?: Word[];
  /** Who spoke when (diarization): the text cut where the speaker changes. Only when asked for. */
  speakers?: SpeakerSegment[];
}

/** A stretch of the transcript spoken by one speaker (OpenAI's diarized segment). Times are seconds. */
export interface SpeakerSegment {
  start: number;
  end: number;
  /** 'A', 'B', … or a known speaker's name. */
  speaker: string;
  text: string;
}

/** Decoding parameters, in OpenAI's vocabulary where one exists. */
export interface DecodeParams {
  /** ISO 639-1 code, or undefined for auto-detection. */
  language?: string;
  /**
   * OpenAI's languages[]: when no `language` is set, detection chooses among these codes only
   * (whisper.cpp's language probabilities, masked). Ignored by English-only models.
   */
  languages?: string[];
  translate?: boolean;
  /** Initial prompt (OpenAI's `prompt`). */
  prompt?: string;
  /**
   * Sampling temperature. 0 (the default) means OpenAI's automatic fallback: start greedy and
   * step the temperature up by 0.2 when a decode fails the quality checks. A value > 0 samples
   * at exactly that temperature, as OpenAI documents.
   */
  temperature?: number;
  /**
   * false: at temperature 0, one pass and no fallback, whatever the quality checks say (a realtime
   * partial: audio cut mid-word fails the log-probability check, and five sampled passes are seconds
   * of work for a preview the agreement rule weighs anyway). Default true.
   */
  fallback?: boolean;
  /** Beam size for beam search; 0 or 1 selects greedy decoding. */
  beamSize?: number;
  /** Candidates sampled at temperature > 0. */
  bestOf?: number;
  /** CPU threads for this request. */
  threads?: number;
  /** Compute per-word timestamps. */
  wordTimestamps?: boolean;
  /**
   * Decode only the speech Silero VAD finds (OpenAI's chunking_strategy). Timestamps stay in the
   * original audio's time base. Needs the engine's VAD model.
   */
  vad?: VadParams;
  /**
   * Encoder frames to run (50 per second of audio) instead of the full 30 s window's 1500. Short
   * buffers encode proportionally faster, at some cost in accuracy: opt-in (realtime turns).
   */
  audioCtx?: number;
}

export interface TranscribeHooks {
  /** Aborting stops the native compute within one decoder step and rejects with an abort error. */
  signal?: AbortSignal;
  /** Called for every segment as soon as whisper.cpp produces it, in order. */
  onSegment?: (segment: Segment) => void;
  /** Called with progress in [0, 1]. */
  onProgress?: (fraction: number) => void;
}

export interface ModelInfo {
  name: string;
  path: string;
  multilingual: boolean;
  /** Bytes of the weights file. */
  sizeBytes: number;
}

/** A loaded whisper.cpp context. Many transcriptions may run on it at once, each with its own state. */
export interface LoadedModel {
  readonly info: ModelInfo;
  transcribe(pcm: Float32Array, params: DecodeParams, hooks?: TranscribeHooks): Promise<Transcript>;
  free(): Promise<void>;
}

export interface LoadOptions {
  name: string;
  useGpu?: boolean;
}

/** The engine: the only thing that knows how to turn a weights file into a LoadedModel. */
export interface Engine {
  loadModel(path: string, opts: LoadOptions): Promise<LoadedModel>;
  /** Loads a Silero VAD in whisper.cpp's ggml format (models/ggml-silero-*.bin). */
  loadVad?(path: string): Promise<VoiceActivityDetector>;
}

/** Counters the pool exposes for metrics and for Retry-After estimates. */
export interface PoolStats {
  model: string;
  loaded: boolean;
  inFlight: number;
  queued: number;
  concurrency: number;
  maxQueue: number;
  /** Totals since start. */
  completed: number;
  failed: number;
  aborted: number;
  rejected: number;
  audioSecondsProcessed: number;
  /** Exponential moving average of the compute seconds a job holds a slot. */
  avgJobSeconds: number;
}

/**
 * Who is waiting for a slot. Live realtime turns go first, then synchronous requests, then async
 * jobs; running work is never pre-empted. A priority's queue bound counts only waiters at that
 * priority or above, so an async backlog never makes a synchronous request answer 429.
 */
export type Priority = 'live' | 'interactive' | 'batch';

/** Whisper's (and Silero's) input: 16 kHz mono PCM. Every sample count in the engine is at this rate. */
export const SAMPLE_RATE = 16_000;

export const PRIORITY_ORDER: Readonly<Record<Priority, number>> = { live: 0, interactive: 1, batch: 2 };

/** What the pool hands a job with its slot. */
export interface SlotLease {
  /** CPU threads this job should use: all of them when it runs alone, a share beside others. */
  threads: number;
}

export interface WithModelOptions {
  /** Default 'interactive'. */
  priority?: Priority;
}

export interface ModelPool {
  /**
   * Waits (by priority, FIFO within one, bounded) for a slot on the named model, loading it if
   * needed, runs fn, and always releases the slot. Throws errors.queueFull() when the wait queue
   * is full, errors.aborted() when the signal fires while waiting; fn receives a signal that
   * fires on abort or pool shutdown.
   */
  withModel<T>(
    name: string,
    signal: AbortSignal | undefined,
    fn: (model: LoadedModel, signal: AbortSignal, lease: SlotLease) => Promise<T>,
    opts?: WithModelOptions,
  ): Promise<T>;
  /** Loads a model now (used for the default model after listen). */
  load(name: string): Promise<void>;
  isLoaded(name: string): boolean;
  /** Records audio seconds handled, for metrics. */
  stats(): PoolStats[];
  /** Observe lifecycle events (metrics): job waits, runs, finishes. */
  on(listener: PoolListener): void;
  close(): Promise<void>;
}

export type PoolEvent =
  | { kind: 'load'; model: string; seconds: number; ok: boolean }
  | { kind: 'start'; model: string; waitSeconds: number }
  | { kind: 'finish'; model: string; seconds: number; outcome: 'ok' | 'error' | 'aborted' }
  | { kind: 'reject'; model: string }
  | { kind: 'unload'; model: string };

export type PoolListener = (event: PoolEvent) => void;

/** Silero VAD settings, in OpenAI's server_vad vocabulary. */
export interface VadParams {
  /** Speech probability at or above which a frame counts as speech (OpenAI's default 0.5). */
  threshold: number;
  /** Audio kept before detected speech starts (OpenAI's prefix_padding_ms, default 300). */
  prefixPaddingMs: number;
  /** Silence that ends a speech span (OpenAI's silence_duration_ms, default 500). */
  silenceDurationMs: number;
  /** Speech shorter than this is ignored. */
  minSpeechMs?: number;
}

/** A span of speech in the input's own time base, seconds. */
export interface SpeechSpan {
  start: number;
  end: number;
}

export type VadEvent =
  /** `sample` is where speech begins (prefix padding not applied), counted from the stream's start. */
  | { type: 'speech_start'; sample: number }
  /** `sample` is where speech ended (the silence wait not included). */
  | { type: 'speech_end'; sample: number };

/** A live VAD over a stream of 16 kHz mono frames; the model's recurrent state carries across pushes. */
export interface VadStream {
  /** Samples per VAD frame (Silero at 16 kHz: 512, i.e. 32 ms). */
  readonly frameSamples: number;
  /** Feeds PCM of any length; returns one probability per frame completed and the events they caused. */
  push(pcm: Float32Array): Promise<{ probabilities: Float32Array; events: VadEvent[] }>;
  /** Forgets the audio and state (a cleared buffer), keeping the sample clock. */
  reset(): void;
  close(): void;
}

/** whisper.cpp's Silero VAD, loaded once and shared. */
export interface VoiceActivityDetector {
  /** Speech spans of a whole buffer (file transcription's chunking). */
  detect(pcm: Float32Array, params: VadParams, signal?: AbortSignal): Promise<SpeechSpan[]>;
  createStream(params: VadParams): VadStream;
  free(): Promise<void>;
}
