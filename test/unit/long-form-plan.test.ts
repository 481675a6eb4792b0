import { describe, expect, it } from 'vitest';
import { LONG_FORM, planChunks, withLeadIn } from '../../src/engine/chunk-plan.js';

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

  it('with parts, shares the speech evenly over a multiple of that many chunks, still cut in pauses', () => {
    // The 80 s clip's case: greedy gave 24 + 26.5 + 25.4 + 3.7 s; on 2 states that leaves one decoding alone.
    const spans = [0, 6, 12, 18, 24, 30, 36, 42, 48, 54, 60, 66, 72].map((t) => ({ start: t, end: t + 5.5 }));
    // Alone: as few chunks as 28 s allows, but none left with a sliver.
    const alone = planChunks(spans, 80);
    expect(alone).toHaveLength(4);
    for (const c of alone) expect(c.end - c.start).toBeGreaterThanOrEqual(11.5);
    const even = planChunks(spans, 80, 28, 2);
    expect(even).toHaveLength(4);
    for (const c of even) expect(c.end - c.start).toBeGreaterThanOrEqual(11.5);
    // Every chunk starts and ends on a span's edge: no cut inside speech.
    for (const c of even) {
      expect(spans.some((s) => s.start === c.start)).toBe(true);
      expect(spans.some((s) => s.end === c.end)).toBe(true);
    }
    // One chunk's worth of speech in a longer file becomes one per state.
    expect(planChunks([{ start: 1, end: 6 }, { start: 7, end: 12 }, { start: 40, end: 45 }], 60, 28, 2)).toHaveLength(2);
    // Never more chunks than pauses allow, and never a chunk over the limit.
    expect(planChunks([{ start: 0, end: 20 }], 40, 28, 4)).toEqual([{ start: 0, end: 20 }]);
    expect(planChunks([{ start: 0, end: 2 }, { start: 2.5, end: 29 }], 40, 28, 2)).toEqual([{ start: 0, end: 2 }, { start: 2.5, end: 29 }]);
  });

  it('cuts in the longest pause that keeps the chunks about even, not where the even share falls', () => {
    // 40 s of speech in 5 s spans; the pauses are 0.3 s but for one of 1.2 s after 15.9 s of speech.
    const edges = [[0, 5], [5.3, 10.3], [10.6, 15.9], [17.1, 22.1], [22.4, 27.4], [27.7, 32.7], [33, 38], [38.3, 43.3]];
    const spans = edges.map(([start, end]) => ({ start, end }));
    const chunks = planChunks(spans, 45, 28, 2);
    expect(chunks).toEqual([{ start: 0, end: 15.9 }, { start: 17.1, end: 43.3 }]);
    // Speech cut into pieces (no pause in 60 s) is cut inside speech only where it must be.
    const long = planChunks([{ start: 0, end: 60 }, { start: 61, end: 70 }], 75, 28, 2);
    expect(long.every((c) => c.end - c.start <= 28)).toBe(true);
    expect(long.at(-1)).toEqual({ start: 61, end: 70 });
  });

  it('falls back to the limit alone where no plan holds an even share', () => {
    // 25 s and 2.5 s of speech: the short chunk is far under half a share, and is kept.
    expect(planChunks([{ start: 0, end: 25 }, { start: 26, end: 28.5 }], 30)).toEqual([{ start: 0, end: 25 }, { start: 26, end: 28.5 }]);
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

describe('long-form parallelism', () => {
  it('gives each thread of the share a chunk, up to the cap, and splits the threads among them', async () => {
    const { chunkParallelism } = await import('../../src/engine/chunk-plan.js');
    expect(chunkParallelism(2, 4)).toEqual({ workers: 2, threadsEach: 1 });
    expect(chunkParallelism(1, 4)).toEqual({ workers: 1, threadsEach: 1 });
    expect(chunkParallelism(16, 10)).toEqual({ workers: 4, threadsEach: 4 });
    expect(chunkParallelism(16, 2)).toEqual({ workers: 2, threadsEach: 8 });
    expect(chunkParallelism(8, 10, 1)).toEqual({ workers: 1, threadsEach: 8 });
    expect(chunkParallelism(3, 0)).toEqual({ workers: 1, threadsEach: 3 });
  });
});

describe('long-form chunks decoded at once', () => {
  const seg = (start: number, text: string) => ({
    id: 0, seek: 0, start, end: start + 1, text, tokens: [], temperature: 0, avg_logprob: -0.2, compression_ratio: 1.2, no_speech_prob: 0.01,
  });
  /** A fake model: chunk k (found by its length: k + 2 s) takes `delays[k]` ms and yields two segments. */
  const fakeModel = (delays: number[], opts: { failChunk?: number; multilingual?: boolean; log?: string[] } = {}) => {
    let running = 0;
    const seen = { maxRunning: 0, threads: [] as number[], languages: [] as (string | undefined)[], started: [] as number[] };
    const model = {
      info: { name: 'fake', path: '', multilingual: opts.multilingual ?? false, sizeBytes: 0 },
      free: async () => {},
      async transcribe(pcm: Float32Array, p: { threads?: number; language?: string }, hooks: { signal?: AbortSignal; onSegment?: (s: ReturnType<typeof seg>) => void } = {}) {
        const k = Math.round(pcm.length / 16_000) - 2;
        running++;
        seen.started.push(k);
        seen.maxRunning = Math.max(seen.maxRunning, running);
        seen.threads.push(p.threads!);
        seen.languages.push(p.language);
        try {
          const segments = [seg(0, ` c${k}a`), seg(0.5, ` c${k}b`)];
          hooks.onSegment?.(segments[0]);
          await new Promise<void>((resolve, reject) => {
            const t = setTimeout(resolve, delays[k]);
            hooks.signal?.addEventListener('abort', () => (clearTimeout(t), reject(Object.assign(new Error('aborted'), { code: 'request_cancelled' }))), { once: true });
          });
          if (k === opts.failChunk) throw new Error(`chunk ${k} failed`);
          hooks.onSegment?.(segments[1]);
          opts.log?.push(`done ${k}`);
          return { task: 'transcribe' as const, language: opts.multilingual ? 'de' : 'en', duration: k + 2, text: '', segments };
        } finally {
          running--;
        }
      },
    };
    return { model, seen };
  };
  // Chunk k is k + 2 s long, starting at 10·k s.
  const chunks = (n: number) => Array.from({ length: n }, (_, k) => ({ start: 10 * k, end: 10 * k + k + 2 }));
  const pcm = new Float32Array(60 * 16_000);

  it('runs two chunks at once on 1 thread each, and streams and joins them in order', async () => {
    const { transcribeChunks } = await import('../../src/engine/long-form.js');
    const log: string[] = [];
    // Chunk 0 is slow: chunks 1 and 2 finish first and must wait for it in the stream.
    const { model, seen } = fakeModel([120, 10, 10, 10], { log });
    const streamed: [number, string][] = [];
    const t = await transcribeChunks(model, pcm, chunks(4), {}, { onSegment: (s) => streamed.push([s.id, s.text]) }, { threads: 2 });
    expect(seen.maxRunning).toBe(2);
    expect(seen.threads).toEqual([1, 1, 1, 1]);
    expect(log[0]).not.toBe('done 0');
    const order = [' c0a', ' c0b', ' c1a', ' c1b', ' c2a', ' c2b', ' c3a', ' c3b'];
    expect(streamed).toEqual(order.map((text, id) => [id, text]));
    expect(t.segments.map((s) => [s.id, s.text])).toEqual(order.map((text, id) => [id, text]));
    expect(t.segments.map((s) => s.start)).toEqual([0, 0.5, 10, 10.5, 20, 20.5, 30, 30.5]);
  });

  it('starts the longest chunks first, or chunk 0 first when the segments are read as they come', async () => {
    const { decodeOrder } = await import('../../src/engine/chunk-plan.js');
    const { transcribeChunks } = await import('../../src/engine/long-form.js');
    const spans = [{ start: 0, end: 17.5 }, { start: 18, end: 43.3 }, { start: 44, end: 59.9 }, { start: 60, end: 79.6 }];
    expect(decodeOrder(spans, false)).toEqual([1, 3, 0, 2]);
    expect(decodeOrder(spans, true)).toEqual([0, 1, 3, 2]);
    expect(decodeOrder([], true)).toEqual([]);
    // Equal lengths keep the file order.
    expect(decodeOrder([{ start: 0, end: 5 }, { start: 6, end: 11 }], false)).toEqual([0, 1]);
    const quiet = fakeModel([10, 10, 10, 10]);
    await transcribeChunks(quiet.model, pcm, chunks(4), {}, {}, { threads: 2 });
    expect(quiet.seen.started).toEqual([3, 2, 1, 0]);
    const streamed = fakeModel([10, 10, 10, 10]);
    const t = await transcribeChunks(streamed.model, pcm, chunks(4), {}, { onSegment: () => {} }, { threads: 2 });
    expect(streamed.seen.started).toEqual([0, 3, 2, 1]);
    expect(t.segments.map((s) => s.text)).toEqual([' c0a', ' c0b', ' c1a', ' c1b', ' c2a', ' c2b', ' c3a', ' c3b']);
  });

  it('one failed chunk stops the others and its own error comes back, after every decode has returned', async () => {
    const { transcribeChunks } = await import('../../src/engine/long-form.js');
    // Longest first: chunks 3 and 2 start; 3 fails at once.
    const { model, seen } = fakeModel([10, 10, 200, 10], { failChunk: 3 });
    await expect(transcribeChunks(model, pcm, chunks(4), {}, {}, { threads: 2 })).rejects.toThrow('chunk 3 failed');
    // Chunk 2 (200 ms) was stopped, not waited for, and nothing was left running; chunks 1 and 0 never started.
    expect(seen.threads).toHaveLength(2);
  });

  it('an abort stops every chunk; an abort between chunks is noticed too', async () => {
    const { transcribeChunks } = await import('../../src/engine/long-form.js');
    const { model } = fakeModel([100, 100, 100, 100]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await expect(transcribeChunks(model, pcm, chunks(4), {}, { signal: ac.signal }, { threads: 2 })).rejects.toMatchObject({ code: 'request_cancelled' });
    const early = new AbortController();
    early.abort();
    await expect(transcribeChunks(model, pcm, chunks(4), {}, { signal: early.signal }, { threads: 2 })).rejects.toMatchObject({ code: 'request_cancelled' });
  });

  it('a multilingual model without a language decodes the first chunk alone on every thread, and its language holds for the rest', async () => {
    const { transcribeChunks } = await import('../../src/engine/long-form.js');
    const { model, seen } = fakeModel([10, 10, 10], { multilingual: true });
    const t = await transcribeChunks(model, pcm, chunks(3), {}, {}, { threads: 2 });
    expect(seen.threads).toEqual([2, 1, 1]);
    expect(seen.languages).toEqual([undefined, 'de', 'de']);
    expect(t.language).toBe('de');
  });

  it('reports progress weighted by chunk length, ending at 1', async () => {
    const { transcribeChunks } = await import('../../src/engine/long-form.js');
    const { model } = fakeModel([10, 10, 10]);
    const seenProgress: number[] = [];
    const progressModel = {
      ...model,
      transcribe: async (a: Float32Array, p: object, h: { onProgress?: (f: number) => void } & object = {}) => {
        const r = await model.transcribe(a, p as never, h as never);
        h.onProgress?.(1);
        return r;
      },
    };
    await transcribeChunks(progressModel, pcm, chunks(3), {}, { onProgress: (f) => seenProgress.push(f) }, { threads: 2 });
    expect(seenProgress.at(-1)).toBeCloseTo(1, 6);
    for (let i = 1; i < seenProgress.length; i++) expect(seenProgress[i]).toBeGreaterThanOrEqual(seenProgress[i - 1]);
  });

  it('starts each chunk with a lead-in from the pause before it, never reaching into the chunk before', () => {
    expect(LONG_FORM.leadInSeconds).toBe(0.3);
    const chunks = [
      { start: 0.1, end: 20 },
      { start: 21, end: 40 },
      { start: 40.2, end: 55 },
      { start: 55, end: 60 },
    ];
    expect(withLeadIn(chunks)).toEqual([
      // Not before the audio's start.
      { start: 0, end: 20 },
      { start: 20.7, end: 40 },
      // Only as far back as the chunk before ends.
      { start: 40, end: 55 },
      // A span cut into pieces: the pieces touch, and stay as they were.
      { start: 55, end: 60 },
    ]);
    // The plan itself is left as it was.
    expect(chunks[1].start).toBe(21);
  });
});
