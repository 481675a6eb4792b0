/**
 * A decode is reproducible on a reused state, whatever the state decoded before.
 *
 * Sampling: whisper.cpp seeded decoder 0's sampler only when a
 * state was made (decoders 1–4 on every call), so on the pool's reused states a request sampling at
 * t > 0 (an explicit temperature, or the fallback) continued where the previous request's sampling
 * left off, and the same file read differently from one request to the next. The patch
 * (native/whisper.cpp-1.9.1.patch) seeds it on every call.
 *
 * Short windows: with flash attention, the encoder's self-attention and the decoder's
 * cross-attention read the audio context rounded up to 256 frames, unmasked, and an encode writes
 * only its own frames. A state reused with a smaller audio_ctx attended to the previous call's audio
 * in the rows between, so the same clip read differently after different work (the long-form chunks
 * and realtime turns all decode on short windows). The patch has the CPU read exactly the encoded
 * frames (a GPU, whose kernels want the padding, gets those rows zeroed). Real tiny.en.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { shortWindowFrames } from '../../src/engine/short-window.js';
import { realEngine } from './setup.js';

// One slot: every call below runs on the same reused whisper_state.
const { pool, transcribe } = realEngine({ concurrency: 1 });
afterAll(() => pool.close());

describe('sampling on a reused state', () => {
  it('the same clip at temperature 0.8 reads the same on every call', async () => {
    // Greedy sampling (best_of 1) uses decoder 0 only: the one whose sampler used to carry over.
    const sampled = { beamSize: 1, bestOf: 1, temperature: 0.8 };
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

describe('short windows on a reused state', () => {
  // jfk.wav (11 s) on its short window: 650 frames, padded to 768 for the attention.
  const jfkWindow = { beamSize: 5, audioCtx: shortWindowFrames(11 * 16_000) };
  const reading = (t: { segments: { start: number; end: number; text: string }[] }) => t.segments.map((s) => `${s.start}-${s.end}${s.text}`).join('|');

  it('a clip reads the same, segment times included, after full windows, other short windows and beam widths', async () => {
    const first = reading(await transcribe('tiny.en', 'jfk.wav', jfkWindow));
    const again: string[] = [];
    // Each call before it leaves different audio in the rows past jfk's 650 frames.
    for (const before of [
      () => transcribe('tiny.en', 'long_concat_en_16k.wav', { beamSize: 1 }),
      () => transcribe('tiny.en', 'ljspeech_LJ050-0131.wav', { beamSize: 3, audioCtx: 700 }),
      () => transcribe('tiny.en', 'librispeech_1272-141231-0002.flac', { beamSize: 5, audioCtx: 760 }),
    ]) {
      await before();
      again.push(reading(await transcribe('tiny.en', 'jfk.wav', jfkWindow)));
    }
    expect(first.toLowerCase().replace(/[^a-z ]/g, '')).toContain('ask not what your country can do for you');
    expect(again).toEqual([first, first, first]);
  });
});
