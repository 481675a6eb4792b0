/**
 * A deterministic stand-in for whisper.cpp's Silero VAD: a frame's "speech probability" is its
 * RMS energy mapped onto [0, 1] (0.9 above -40 dBFS, 0.05 below). Tones are speech, zeros silence.
 */
import { SpeechHysteresis } from '../../src/engine/speech-hysteresis.js';
import type { SpeechSpan, VadParams, VadStream, VoiceActivityDetector } from '../../src/engine/types.js';

const FRAME = 512;

export function fakeVad(): VoiceActivityDetector & { streams: number; open: number; detected: VadParams[] } {
  const vad = {
    streams: 0,
    open: 0,
    /** The settings of every batch detection, in order. */
    detected: [] as VadParams[],
    /** Batch detection (long files): finds no speech unless a test replaces it. */
    async detect(_pcm: Float32Array, params: VadParams): Promise<SpeechSpan[]> {
      vad.detected.push(params);
      return [];
    },
    createStream(params: VadParams): VadStream {
      vad.streams++;
      vad.open++;
      let carry = new Float32Array(0);
      let closed = false;
      // The engine's own rule turns the fake probabilities into events, on the same sample clock.
      const hysteresis = new SpeechHysteresis(params, FRAME);
      let clock = 0;
      return {
        frameSamples: FRAME,
        async push(pcm) {
          if (closed) throw new Error('VadStream used after close');
          const buf = new Float32Array(carry.length + pcm.length);
          buf.set(carry);
          buf.set(pcm, carry.length);
          const frames = Math.floor(buf.length / FRAME);
          const probabilities = new Float32Array(frames);
          for (let f = 0; f < frames; f++) {
            let sum = 0;
            for (let i = f * FRAME; i < (f + 1) * FRAME; i++) sum += buf[i] * buf[i];
            probabilities[f] = Math.sqrt(sum / FRAME) > 0.01 ? 0.9 : 0.05;
          }
          carry = buf.slice(frames * FRAME);
          const events = hysteresis.feed(probabilities, clock);
          clock += frames * FRAME;
          return { probabilities, events };
        },
        reset() {
          clock += carry.length;
          carry = new Float32Array(0);
          hysteresis.reset();
        },
        close() {
          if (!closed) vad.open--;
          closed = true;
        },
      };
    },
    async free() {},
  };
  return vad;
}

/** pcm16 little-endian at 24 kHz: `seconds` of a 220 Hz tone at -12 dBFS, or silence. */
export function pcm16(seconds: number, tone: boolean): Buffer {
  const n = Math.round(seconds * 24_000);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(tone ? Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 24_000)) : 0, i * 2);
  return out;
}
