import { describe, expect, it } from 'vitest';
import { cutPoints, joinAtCuts, vadParts } from '../../src/engine/vad-split.js';
import { loadSileroVad, VAD_FRAME_SAMPLES } from '../../src/engine/vad.js';
import type { NativeVad } from '../../src/engine/native.js';

const SR = 16_000;

describe('a long buffer VAD pass in parts', () => {
  it('splits only long buffers, at most one part per core, four parts, and 30 s a part', () => {
    expect(vadParts(59 * SR, 8)).toBe(1);
    expect(vadParts(80 * SR, 1)).toBe(1);
    expect(vadParts(80 * SR, 2)).toBe(2);
    expect(vadParts(80 * SR, 8)).toBe(2); // 80 s: two parts of 30 s or more
    expect(vadParts(363 * SR, 2)).toBe(2);
    expect(vadParts(3600 * SR, 16)).toBe(4);
  });

  it('cuts at the quietest moment near the even cut, frame-aligned', () => {
    // 90 s of "speech" with one quiet stretch at 46.0–46.5 s: the cut for two parts (45 s) moves there.
    const pcm = new Float32Array(90 * SR).fill(0.3);
    pcm.fill(0, 46 * SR, 46.5 * SR);
    const [cut] = cutPoints(pcm, 2, VAD_FRAME_SAMPLES);
    expect(cut % VAD_FRAME_SAMPLES).toBe(0);
    expect(cut / SR).toBeGreaterThanOrEqual(46);
    expect(cut / SR).toBeLessThanOrEqual(46.5);
    // No quiet stretch within 3 s: the even cut stays where it is (within a window).
    const flat = new Float32Array(90 * SR).fill(0.3);
    flat.fill(0, 10 * SR, 11 * SR);
    expect(Math.abs(cutPoints(flat, 2, VAD_FRAME_SAMPLES)[0] / SR - 45)).toBeLessThan(3.1);
    expect(cutPoints(flat, 3, VAD_FRAME_SAMPLES)).toHaveLength(2);
  });

  it('joins the spans that meet at a cut, and only those', () => {
    const parts = [
      [{ start: 1, end: 5 }, { start: 10, end: 45 }],
      [{ start: 45.2, end: 50 }, { start: 50.5, end: 60 }],
      [{ start: 70, end: 80 }],
    ];
    // 45 → 45.2 across the first cut joins; 50 → 50.5 inside a part stays as the one pass said; 60 → 70 is a pause.
    expect(joinAtCuts(parts, 1)).toEqual([
      { start: 1, end: 5 },
      { start: 10, end: 50 },
      { start: 50.5, end: 60 },
      { start: 70, end: 80 },
    ]);
    expect(joinAtCuts([[], [{ start: 3, end: 4 }]], 1)).toEqual([{ start: 3, end: 4 }]);
  });

  it('detect() scores the parts on contexts of their own, at once, in the buffer time base', async () => {
    let loads = 0;
    let freed = 0;
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    const native = {
      vadLoad: async () => (loads++, { id: loads } as unknown as NativeVad),
      vadProbs: async () => new Float32Array(0),
      // Every part reports speech over its whole length.
      vadSegments: async (_v: NativeVad, pcm: Float32Array) => {
        running++;
        most = Math.max(most, running);
        seen.push(pcm.length);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return [{ start: 0, end: pcm.length / SR }];
      },
      vadReset: () => {},
      vadFree: () => void freed++,
    };
    const vad = await loadSileroVad(native, '/m/vad.bin', { parallelism: 2 });
    const pcm = new Float32Array(80 * SR).fill(0.2);
    const spans = await vad.detect(pcm, { threshold: 0.5, prefixPaddingMs: 0, silenceDurationMs: 500 });
    expect(seen).toHaveLength(2);
    expect(seen[0] + seen[1]).toBe(pcm.length);
    expect(most).toBe(2);
    expect(loads).toBe(2);
    // The two halves' spans meet at the cut and come back as one.
    expect(spans).toHaveLength(1);
    expect(spans[0].start).toBe(0);
    expect(spans[0].end).toBeCloseTo(80, 6);
    // A short buffer takes one pass on a pooled context.
    await vad.detect(new Float32Array(10 * SR), { threshold: 0.5, prefixPaddingMs: 0, silenceDurationMs: 500 });
    expect(loads).toBe(2);
    await vad.free();
    expect(freed).toBe(2);
    await expect(vad.detect(pcm, { threshold: 0.5, prefixPaddingMs: 0, silenceDurationMs: 500 })).rejects.toMatchObject({ code: 'model_unavailable' });
  });

  it('an aborted request scores nothing', async () => {
    let calls = 0;
    const native = {
      vadLoad: async () => ({}) as NativeVad,
      vadProbs: async () => new Float32Array(0),
      vadSegments: async () => (calls++, []),
      vadReset: () => {},
      vadFree: () => {},
    };
    const vad = await loadSileroVad(native, '/m/vad.bin', { parallelism: 2 });
    await expect(vad.detect(new Float32Array(80 * SR), { threshold: 0.5, prefixPaddingMs: 0, silenceDurationMs: 500 }, AbortSignal.abort())).rejects.toMatchObject({
      code: 'request_cancelled',
    });
    expect(calls).toBe(0);
  });
});
