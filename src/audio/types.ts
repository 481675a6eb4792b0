/** 16 kHz mono float32 PCM, the only input the engine accepts. */
export interface DecodedAudio {
  pcm: Float32Array;
  /** Seconds of audio. */
  duration: number;
}

export interface DecodeOptions {
  signal?: AbortSignal;
  /** Reject audio longer than this (seconds), before paying for a full decode where possible. */
  maxDurationSeconds?: number;
}

export interface AudioDecoder {
  /** Decodes a file on disk (seekable: MP4/M4A need it). Throws errors.unsupportedAudio(reason). */
  decodeFile(path: string, opts?: DecodeOptions): Promise<DecodedAudio>;
}

export const SAMPLE_RATE = 16_000;
