/**
 * server_vad turns on top of the engine's VadStream, whose events carry the one hysteresis rule
 * (src/engine/speech-hysteresis.ts). This adds what a turn needs: the prefix padding before
 * speech, the sample at which the end was decided (the silence wait), and the session's clock.
 * Times are samples of the session's 16 kHz stream.
 */
import { speechEndDecidedAt } from '../engine/speech-hysteresis.js';
import { SAMPLE_RATE, type VadStream } from '../engine/types.js';
import type { TurnDetection } from './protocol.js';

export type TurnEvent =
  /** `sample`: first speech frame; `paddedSample`: where the turn's audio starts. */
  | { type: 'speech_started'; sample: number; paddedSample: number }
  /** `sample`: end of the last speech frame (the silence wait not included); `detectedAt`: when the wait ended. */
  | { type: 'speech_stopped'; sample: number; detectedAt: number };

export class TurnDetector {
  private speaking = false;

  /**
   * @param origin the session's sample at which this stream's sample 0 lies (a detector made
   *   by a session.update mid-session starts counting there).
   */
  constructor(
    private readonly stream: VadStream,
    private readonly params: TurnDetection,
    private readonly origin = 0,
  ) {}

  get inSpeech(): boolean {
    return this.speaking;
  }

  /** Feeds 16 kHz PCM; resolves with the turn events its frames caused, in order. */
  async push(pcm: Float32Array): Promise<TurnEvent[]> {
    const { events } = await this.stream.push(pcm);
    const frame = this.stream.frameSamples;
    const pad = Math.round((this.params.prefixPaddingMs * SAMPLE_RATE) / 1000);
    return events.map((e): TurnEvent => {
      const sample = this.origin + e.sample;
      this.speaking = e.type === 'speech_start';
      return e.type === 'speech_start'
        ? { type: 'speech_started', sample, paddedSample: Math.max(this.origin, sample - pad) }
        : { type: 'speech_stopped', sample, detectedAt: speechEndDecidedAt(sample, this.params.silenceDurationMs, frame) };
    });
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
