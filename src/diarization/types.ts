/**
 * The diarization room's contract: who spoke when, from 16 kHz mono PCM. Implementations know
 * nothing of HTTP or whisper; the transcription service asks one for speaker turns and labels
 * segments by time overlap. Two implementations: the model-based one (segmentation + embeddings
 * + clustering) and the model-free stereo channel splitter (channels.ts).
 */

/** One stretch of audio spoken by one speaker. Times in seconds from the start of the input. */
export interface SpeakerTurn {
  start: number;
  end: number;
  /** 'A', 'B', … in order of first appearance, or a known speaker's name. */
  speaker: string;
}

/** A speaker the client named, with a 2–10 s reference clip of their voice (16 kHz mono PCM). */
export interface KnownSpeaker {
  name: string;
  pcm: Float32Array;
}

export interface DiarizeOptions {
  knownSpeakers?: KnownSpeaker[];
  /** Aborts the work (client gone); the promise then rejects. */
  signal?: AbortSignal;
}

export interface Diarizer {
  /**
   * Speaker turns over the whole input, sorted by start, not overlapping. Rejects when it
   * cannot finish: a caller never gets half-labelled turns.
   */
  diarize(pcm: Float32Array, opts?: DiarizeOptions): Promise<SpeakerTurn[]>;
}
