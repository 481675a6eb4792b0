import { describe, expect, it } from 'vitest';
import { SpeechHysteresis, speechEndDecidedAt } from '../../../src/engine/speech-hysteresis.js';
import type { VadStream } from '../../../src/engine/types.js';
import { TurnDetector } from '../../../src/realtime/turn-detector.js';

/** A VadStream that replays scripted probabilities, one per 512-sample frame, through the engine's rule. */
function scripted(probs: number[], vad = { threshold: 0.5, silenceDurationMs: 96 }): VadStream {
  let i = 0;
  let carry = 0;
  const hysteresis = new SpeechHysteresis(vad, 512);
  return {
    frameSamples: 512,
    async push(pcm) {
      const frames = Math.floor((carry + pcm.length) / 512);
      carry = (carry + pcm.length) % 512;
      const out = Float32Array.from(probs.slice(i, i + frames));
      const events = hysteresis.feed(out, i * 512);
      i += frames;
      return { probabilities: out, events };
    },
    reset() {},
    close() {},
  };
}

const params = { type: 'server_vad' as const, threshold: 0.5, prefixPaddingMs: 64, silenceDurationMs: 96 };

describe('server_vad hysteresis', () => {
  it('starts at threshold, pads the start, and stops after silence_duration_ms below threshold - 0.15', async () => {
    // frames: 0-3 silence, 4-9 speech, 10 dips to 0.4 (still speech: above 0.35), 11-15 silence
    const p = [0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.4, 0.1, 0.1, 0.1, 0.1, 0.1];
    const d = new TurnDetector(scripted(p), params);
    const events = await d.push(new Float32Array(512 * 16));
    expect(events).toEqual([
      { type: 'speech_started', sample: 4 * 512, paddedSample: 4 * 512 - 1024 },
      // last speech frame is 10 (0.4 ≥ 0.35), ending at 11·512; 96 ms = 3 frames of silence later
      { type: 'speech_stopped', sample: 11 * 512, detectedAt: 14 * 512 },
    ]);
    expect(d.inSpeech).toBe(false);
  });

  it('keeps frame times right across pushes of odd sizes', async () => {
    const p = [0.1, 0.1, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1];
    const d = new TurnDetector(scripted(p), { ...params, prefixPaddingMs: 0 });
    const events = [...(await d.push(new Float32Array(700))), ...(await d.push(new Float32Array(900))), ...(await d.push(new Float32Array(512 * 8 - 1600)))];
    expect(events.map((e) => [e.type, e.sample])).toEqual([['speech_started', 1024], ['speech_stopped', 2048]]);
  });

  it('a noise blip below the threshold never starts a turn', async () => {
    const d = new TurnDetector(scripted([0.1, 0.45, 0.49, 0.2]), params);
    expect(await d.push(new Float32Array(2048))).toEqual([]);
  });
});

describe('turn detector on the engine events', () => {
  it('counts from its origin: a detector made mid-session reports session samples', async () => {
    const d = new TurnDetector(scripted([0.9, 0.9, 0.1, 0.1, 0.1, 0.1]), { ...params, prefixPaddingMs: 1000 }, 48_000);
    const events = await d.push(new Float32Array(512 * 6));
    // the padding never reaches before the detector existed
    expect(events).toEqual([
      { type: 'speech_started', sample: 48_000, paddedSample: 48_000 },
      { type: 'speech_stopped', sample: 48_000 + 1024, detectedAt: 48_000 + 1024 + 3 * 512 },
    ]);
  });

  it('decides the end at the first frame silence_duration_ms after the last speech frame, whatever its length', () => {
    expect(speechEndDecidedAt(1024, 96, 512)).toBe(1024 + 3 * 512);
    expect(speechEndDecidedAt(1024, 100, 512)).toBe(1024 + 4 * 512); // 100 ms = 3.125 frames
    expect(speechEndDecidedAt(1024, 0, 512)).toBe(1024 + 512); // never the same frame
  });
});
