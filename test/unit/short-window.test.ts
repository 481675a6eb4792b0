import { describe, expect, it } from 'vitest';
import { continuedWindowFrames, shortWindowFrames, SHORT_WINDOW } from '../../src/engine/short-window.js';

const s = (seconds: number) => Math.round(seconds * 16_000);

describe('short window (audio_ctx sized to the clip)', () => {
  it('never goes under the floor, and keeps the margin after the audio', () => {
    expect(SHORT_WINDOW).toEqual({ floorSeconds: 10, marginSeconds: 2 });
    expect(shortWindowFrames(s(1))).toBe(600); // (10 + 2) s × 50 frames
    expect(shortWindowFrames(s(11))).toBe(650);
    expect(shortWindowFrames(s(27.9))).toBe(1495);
  });

  it('is off (the full 1500-frame window) once the clip and its margin fill the window', () => {
    expect(shortWindowFrames(s(28))).toBeUndefined();
    expect(shortWindowFrames(s(300))).toBeUndefined();
  });

  it('takes another policy', () => {
    expect(shortWindowFrames(s(3), { floorSeconds: 0, marginSeconds: 1 })).toBe(200);
  });

  it('gives whisper.cpp the same policy in encoder frames for the windows after the first', () => {
    expect(continuedWindowFrames()).toEqual({ floor: 500, margin: 100 });
    expect(continuedWindowFrames({ floorSeconds: 3, marginSeconds: 0.5 })).toEqual({ floor: 150, margin: 25 });
  });
});
