/** What a realtime session needs from the outside world, as narrow interfaces (tests pass literals). */
import type { Transcript, VoiceActivityDetector } from '../engine/types.js';
import type { Dialect } from './protocol.js';

export interface PcmTranscribeRequest {
  model: string;
  pcm: Float32Array;
  language?: string;
  prompt?: string;
  signal: AbortSignal;
  /** A re-decode of an open turn (true), or the turn's final decode. */
  partial: boolean;
  /** Encode a window sized to the audio (src/engine/short-window.ts) instead of the full 30 s. */
  shortWindow: boolean;
}

export interface RealtimeLimits {
  idleTimeoutMs: number;
  maxDurationMs: number;
  /** Largest decoded audio payload of one append, in bytes. */
  maxAppendBytes: number;
  maxSessionsPerModel: number;
  /** New audio between two re-decodes of an open turn, when the client sets no `delay`. */
  decodeIntervalMs: number;
  /** Turn audio before the first partial decode, when the client sets no `delay`. */
  firstDecodeMs: number;
  /** New audio between partials until a turn's first word is sent, when the client sets no `delay` (absent: decodeIntervalMs). */
  firstWordsIntervalMs?: number;
  /** Edge holdback of the agreement rule, when the client sets no `delay` (0 or absent: none). */
  commitHoldbackMs?: number;
  /** Word probability below which an agreed word waits, when the client sets no `delay` (0 or absent: none). */
  commitMinProbability?: number;
  /** Longest audio one decode sees; a longer turn is trimmed at a committed word. */
  maxDecodeSeconds: number;
  /** REALTIME_AUDIO_CTX: `auto` (default) encodes a window sized to the turn, `off` the full 30 s. */
  audioCtx?: 'auto' | 'off';
  /** REALTIME_TURN_CONTEXT: false stops prompting a turn's decodes with the earlier turns' text. */
  turnContext?: boolean;
}

export interface RealtimeObserver {
  sessionOpened(model: string): void;
  sessionClosed(model: string): void;
  /** Seconds from the end of the turn's audio (commit, or end of speech) to `completed`. */
  turnCompleted(model: string, latencySeconds: number, vadWaitSeconds: number): void;
  /** Seconds from the audio a delta's last word ends in arriving to the delta being sent. */
  deltaSent(model: string, lagSeconds: number): void;
}

export interface SessionDeps {
  transcribe(req: PcmTranscribeRequest): Promise<Transcript>;
  /** Resolves a client's model name; throws ApiError (model_not_found, ...) when unusable. */
  resolveModel(name: string): { name: string; multilingual: boolean };
  /** Validates a language code; undefined when unknown. */
  languageCode(input: string): string | undefined;
  vad?: VoiceActivityDetector;
  limits: RealtimeLimits;
  observer?: RealtimeObserver;
  /** Sessions per model, shared by every session of the service. */
  slots: { tryAcquire(model: string): boolean; release(model: string): void };
  /** The model a session starts with when the URL names none of ours. */
  defaultModel: string;
  now?: () => number;
}

export interface SessionOptions {
  dialect: Dialect;
  /** The model named in the connect URL, used when it is one of ours. */
  model: string;
  send(event: Record<string, unknown>): void;
  /** Closes the connection (after the events already sent). */
  end(code: number, reason: string): void;
  /**
   * A session.update to apply before `*.created` (the configuration a client secret carries):
   * its `session` object, in the dialect named.
   */
  initial?: { dialect: Dialect; session: Record<string, unknown> };
}
