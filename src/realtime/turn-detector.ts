/**
 * server_vad on top of the engine's Silero VAD: hysteresis over per-frame speech probabilities.
 *  - speech starts at the first frame whose probability reaches `threshold`; the turn's audio
 *    begins `prefixPaddingMs` earlier;
 *  - a frame counts as silence below `threshold - 0.15` (Silero's own negative threshold), and
 *    speech stops once `silenceDurationMs` of silence has followed the last speech frame.
 * Times are in samples of the 16 kHz stream, counted from the session's start.
 */
import type { VadStream } from '../engine/types.js';
import type { TurnDetection } from './protocol.js';

export const VAD_RATE = 16_000;

export type TurnEvent =
  /** `sample`: first speech frame; `paddedSample`: where the turn's audio starts. */
  | { type: 'speech_started'; sample: number; paddedSample: number }
  /** `sample`: end of the last speech frame (the silence wait not included); `detectedAt`: when the wait ended. */
  | { type: 'speech_stopped'; sample: number; detectedAt: number };

export class TurnDetector {
  private speaking = false;
  /** Sample clock at the end of the audio pushed so far. */
  private clock = 0;
  private lastSpeechEnd = 0;

  constructor(
    private readonly stream: VadStream,
    private readonly params: TurnDetection,
  ) {}

  get inSpeech(): boolean {
    return this.speaking;
  }

  /** Feeds 16 kHz PCM; resolves with the turn events its frames caused, in order. */
  async push(pcm: Float32Array): Promise<TurnEvent[]> {
    const { probabilities } = await this.stream.push(pcm);
    const frame = this.stream.frameSamples;
    // Frames completed by this push end at the current clock (the stream keeps any remainder).
    const total = this.clock + pcm.length;
    const firstFrameStart = Math.floor(total / frame) * frame - probabilities.length * frame;
    this.clock = total;
    const events: TurnEvent[] = [];
    const silenceSamples = (this.params.silenceDurationMs * VAD_RATE) / 1000;
    const negative = Math.max(0, this.params.threshold - 0.15);
    for (let i = 0; i < probabilities.length; i++) {
      const p = probabilities[i];
      const start = firstFrameStart + i * frame;
      const end = start + frame;
      if (!this.speaking) {
        if (p >= this.params.threshold) {
          this.speaking = true;
          this.lastSpeechEnd = end;
          const padded = Math.max(0, start - Math.round((this.params.prefixPaddingMs * VAD_RATE) / 1000));
          events.push({ type: 'speech_started', sample: start, paddedSample: padded });
        }
      } else if (p >= negative) {
        this.lastSpeechEnd = end;
      } else if (end - this.lastSpeechEnd >= silenceSamples) {
        this.speaking = false;
        events.push({ type: 'speech_stopped', sample: this.lastSpeechEnd, detectedAt: end });
      }
    }
    return events;
  }

  /** The client cleared or committed its buffer: forget the VAD state and any open speech. */
  reset(): void {
    this.speaking = false;
    this.stream.reset();
  }

  close(): void {
    this.stream.close();
  }
}
