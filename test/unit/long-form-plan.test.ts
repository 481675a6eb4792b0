import { describe, expect, it } from 'vitest';
import { planChunks } from '../../src/engine/long-form.js';

describe('long-form chunk plan', () => {
  it('merges speech spans into chunks of at most 28 s, cut in the pauses', () => {
    const spans = [
      { start: 0.5, end: 9 },
      { start: 9.6, end: 20 },
      { start: 20.5, end: 27 },
      { start: 27.7, end: 40 },
      { start: 45, end: 50 },
    ];
    expect(planChunks(spans, 60)).toEqual([
      { start: 0.5, end: 27 },
      { start: 27.7, end: 50 },
    ]);
  });

  it('cuts a span longer than a chunk into equal pieces, and clamps to the audio', () => {
    const chunks = planChunks([{ start: -0.2, end: 70 }], 65);
    expect(chunks).toHaveLength(3);
    expect(chunks[0].start).toBe(0);
    expect(chunks.at(-1)!.end).toBe(65);
    for (const c of chunks) expect(c.end - c.start).toBeLessThanOrEqual(28);
  });

  it('no speech, no chunks', () => {
    expect(planChunks([], 120)).toEqual([]);
    expect(planChunks([{ start: 130, end: 140 }], 120)).toEqual([]);
  });
});
