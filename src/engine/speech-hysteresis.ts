/**
 * The one server_vad rule, over per-frame speech probabilities (Silero's own hysteresis):
 *  - speech starts at the first frame whose probability reaches `threshold`;
 *  - a frame counts as silence below `threshold - 0.15`, and speech stops once
 *    `silenceDurationMs` of silence has followed the last speech frame.
 * The engine's VadStream runs it; realtime turns and the test fakes consume its events, so the
 * rule lives here only. Times are samples of the 16 kHz stream.
 */
import { SAMPLE_RATE, type VadEvent, type VadParams } from './types.js';

/** Speech continues until the probability falls this far below threshold. */
export const NEGATIVE_OFFSET = 0.15;

export class SpeechHysteresis {
  private speaking = false;
  private lastSpeechEnd = 0;

  constructor(
    private readonly params: Pick<VadParams, 'threshold' | 'silenceDurationMs'>,
    private readonly frameSamples: number,
  ) {}

  get inSpeech(): boolean {
    return this.speaking;
  }

  /** Events caused by `probs`, one per frame, the first frame starting at `firstSample`. */
  feed(probs: ArrayLike<number>, firstSample: number): VadEvent[] {
    const events: VadEvent[] = [];
    const silence = (this.params.silenceDurationMs * SAMPLE_RATE) / 1000;
    const negative = Math.max(0, this.params.threshold - NEGATIVE_OFFSET);
    for (let i = 0; i < probs.length; i++) {
      const start = firstSample + i * this.frameSamples;
      const end = start + this.frameSamples;
      if (!this.speaking) {
        if (probs[i] >= this.params.threshold) {
          this.speaking = true;
          this.lastSpeechEnd = end;
          events.push({ type: 'speech_start', sample: start });
        }
      } else if (probs[i] >= negative) {
        this.lastSpeechEnd = end;
      } else if (end - this.lastSpeechEnd >= silence) {
        this.speaking = false;
        events.push({ type: 'speech_end', sample: this.lastSpeechEnd });
      }
    }
    return events;
  }

  reset(): void {
    this.speaking = false;
  }
}

/**
 * The sample at which a `speech_end` at `sample` was decided: the end of the first frame
 * `silenceDurationMs` after the last speech frame (at least one frame later).
 */
export function speechEndDecidedAt(sample: number, silenceDurationMs: number, frameSamples: number): number {
  const silence = (silenceDurationMs * SAMPLE_RATE) / 1000;
  return sample + Math.max(1, Math.ceil(silence / frameSamples)) * frameSamples;
}
