import type { Readable } from 'node:stream';

/** 16 kHz mono float32 PCM, the only input the engine accepts. */
export interface DecodedAudio {
  pcm: Float32Array;
  /** Seconds of audio. */
  duration: number;
  /** With `channels: 2`: left and right (a mono file gives two equal ones); `pcm` is their mix. */
  channels?: [Float32Array, Float32Array];
}

export interface DecodeOptions {
  signal?: AbortSignal;
  /** Reject audio longer than this (seconds), before paying for a full decode where possible. */
  maxDurationSeconds?: number;
  /** 2: also return the left and right channels (diarization by channel). Default 1. */
  channels?: 1 | 2;
}

export interface AudioDecoder {
  /** Decodes a file on disk (seekable: MP4/M4A need it). Throws errors.unsupportedAudio(reason). */
  decodeFile(path: string, opts?: DecodeOptions): Promise<DecodedAudio>;
  /**
   * Decodes a stream as it arrives (an upload still coming in). Not seekable: an MP4/M4A whose index
   * sits at the end fails here, so callers keep the file to decode instead.
   */
  decodeStream?(stream: Readable, opts?: DecodeOptions): Promise<DecodedAudio>;
  /**
   * Whether decodeFile reads a file starting with these bytes without starting a process (wav.ts):
   * then decoding it early, while it uploads, saves nothing.
   */
  decodesInProcess?(head: Buffer): boolean;
}

/** The engine's input rate (engine/types.ts): every decoder writes 16 kHz. */
export { SAMPLE_RATE } from '../engine/types.js';
