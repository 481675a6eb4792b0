import { describe, expect, it } from 'vitest';
import { turnAudioCtx } from '../../../src/realtime/audio-window.js';

describe('the encoder window of a turn', () => {
  it('is the audio plus 2 s, never under 10 s, and the full window once that reaches 30 s', () => {
    expect(turnAudioCtx(16_000 * 1)).toBe(500); // 1 s of speech: the 10 s floor
    expect(turnAudioCtx(16_000 * 11)).toBe(650); // jfk: 11 s + 2 s
    expect(turnAudioCtx(16_000 * 27.9)).toBe(1495); // just under the full window
    expect(turnAudioCtx(16_000 * 28)).toBeUndefined();
    expect(turnAudioCtx(16_000 * 40)).toBeUndefined();
  });
});
