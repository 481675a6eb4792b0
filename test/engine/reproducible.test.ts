/**
 * Sampling is reproducible on a reused state. whisper.cpp seeded decoder 0's sampler only when a
 * state was made (decoders 1–4 on every call), so on the pool's reused states a request sampling at
 * t > 0 (an explicit temperature, or the fallback) continued where the previous request's sampling
 * left off, and the same file read differently from one request to the next. The patch
 * (native/whisper.cpp-1.9.1.patch) seeds it on every call. Real tiny.en.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { realEngine } from './setup.js';

// One slot: every call below runs on the same reused whisper_state.
const { pool, transcribe } = realEngine({ concurrency: 1 });
afterAll(() => pool.close());

describe('sampling on a reused state', () => {
  it('the same clip at temperature 0.8 reads the same on every call', async () => {
    // Greedy sampling (best_of 1) uses decoder 0 only: the one whose sampler used to carry over.
    const sampled = { beamSize: 1, bestOf: 1, temperature: 0.8 };
    // The first decode of speech on a fresh state can differ by a near-tie (found, not fixed here): warm it.
    await transcribe('tiny.en', 'librispeech_2412-153948-0000.flac', sampled);
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      texts.push((await transcribe('tiny.en', 'librispeech_2412-153948-0000.flac', sampled)).text);
      // Another request's sampling in between, on the same state.
      await transcribe('tiny.en', 'jfk.wav', sampled);
    }
    expect(texts[0].length).toBeGreaterThan(20);
    expect(new Set(texts).size).toBe(1);
  });
});
