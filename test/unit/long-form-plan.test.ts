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

describe('long-form join', () => {
  it('drops a segment that loops (compression ratio over 2.4) from the result, the stream and the words', async () => {
    const { transcribeChunks } = await import('../../src/engine/long-form.js');
    const seg = (id: number, start: number, text: string, ratio: number) => ({
      id, seek: 0, start, end: start + 2, text, tokens: [], temperature: 1, avg_logprob: -0.2, compression_ratio: ratio, no_speech_prob: 0.01,
    });
    const model = {
      info: { name: 'fake', path: '', multilingual: false, sizeBytes: 0 },
      free: async () => {},
      async transcribe(_pcm: Float32Array, _p: object, hooks: { onSegment?: (s: ReturnType<typeof seg>) => void } = {}) {
        const segments = [seg(0, 0, ' He might even have been made amiable himself.', 1.2), seg(1, 2, " I'm I'm I'm I'm I'm I'm I'm I'm", 9.5)];
        segments.forEach((s) => hooks.onSegment?.(s));
        const words = [{ word: 'He', start: 0, end: 0.3, probability: 0.9 }, { word: "I'm", start: 2.1, end: 2.3, probability: 0.9 }];
        return { task: 'transcribe' as const, language: 'en', duration: 4, text: '', segments, words };
      },
    };
    const streamed: number[] = [];
    const t = await transcribeChunks(model, new Float32Array(40 * 16_000), [{ start: 1, end: 5 }, { start: 10, end: 14 }], { wordTimestamps: true }, {
      onSegment: (s) => streamed.push(s.id),
    });
    expect(t.segments.map((s) => [s.id, s.start])).toEqual([[0, 1], [1, 10]]);
    expect(streamed).toEqual([0, 1]);
    expect(t.text).toBe('He might even have been made amiable himself. He might even have been made amiable himself.');
    expect(t.words!.map((w) => w.word)).toEqual(['He', 'He']);
  });
});
