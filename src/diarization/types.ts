/**
 * The diarization room's contract with the rest of the server. It knows
 * nothing of HTTP: 16 kHz mono f32 PCM in, speaker turns (seconds) out.
 */

export interface KnownSpeaker {
  name: string;
  /** A 2–10 s reference of this speaker alone, 16 kHz mono f32. */
  pcm: Float32Array;
}

export interface DiarizeOptions {
  knownSpeakers?: KnownSpeaker[];
  signal?: AbortSignal;
}

/** One stretch of one speaker. Turns are sorted by start and do not overlap. */
export interface SpeakerTurn {
  start: number;
  end: number;
  /** A known speaker's name, else `A`, `B`, … in order of first appearance. */
  speaker: string;
}

export interface Diarizer {
  diarize(pcm: Float32Array, opts?: DiarizeOptions): Promise<SpeakerTurn[]>;
  /** Frees the runtime sessions. */
  close?(): Promise<void>;
}
