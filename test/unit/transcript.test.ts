import { describe, expect, it } from 'vitest';
import { compressionRatio, toSegment, toTranscript, toWords } from '../../src/engine/transcript.js';
import { toNativeParams } from '../../src/engine/decode-params.js';
import { padShortInput } from '../../src/engine/whisper.js';
import type { NativeSegment } from '../../src/engine/native.js';

const vocab = { token_eot: 50256, token_beg: 50363 };
const tok = (id: number, text: string, from: number, to: number, p = 0.9) => ({ id, text, from, to, p, plog: Math.log(p) });
const segments: NativeSegment[] = [
  {
    index: 0, from: 0, to: 2200, temperature: 0, no_speech_prob: 0.0123456789, text: ' And so, my fellow',
    tokens: [tok(50363, '[_BEG_]', 0, 0), tok(400, ' And', 0, 300), tok(370, ' so', 300, 500), tok(11, ',', 500, 520), tok(616, ' my', 600, 900), tok(7177, ' fellow', 900, 2200), tok(50473, '[_TT_110]', 2200, 2200)],
  },
  { index: 1, from: 2200, to: 3000, temperature: 0.2, no_speech_prob: 0.7, text: ' Americans.', tokens: [tok(5491, ' Americans', 2200, 2900, 0.5), tok(13, '.', 2900, 3000, 0.7)] },
];

describe('transcript mapping', () => {
  it('builds OpenAI-complete segments from whisper.cpp segments', () => {
    const t = toTranscript({ task: 'transcribe', language: 'en', duration: 3.0004, segments, vocab, withWords: false });
    expect(t.text).toBe('And so, my fellow Americans.');
    expect(t.duration).toBe(3);
    expect(t.words).toBeUndefined();
    expect(t.segments[0]).toMatchObject({ id: 0, seek: 0, start: 0, end: 2.2, temperature: 0, no_speech_prob: 0.012346 });
    expect(t.segments[0].tokens).toEqual([50363, 400, 370, 11, 616, 7177, 50473]);
    expect(t.segments[0].avg_logprob).toBeCloseTo(Math.log(0.9), 5);
    expect(t.segments[1]).toMatchObject({ id: 1, seek: 220, start: 2.2, end: 3, temperature: 0.2, no_speech_prob: 0.7 });
    expect(t.segments[1].avg_logprob).toBeCloseTo((Math.log(0.5) + Math.log(0.7)) / 2, 5);
  });

  it('groups tokens into words at leading spaces, keeping punctuation attached', () => {
    const words = toWords(segments, vocab);
    expect(words.map((w) => w.word)).toEqual(['And', 'so,', 'my', 'fellow', 'Americans.']);
    expect(words[1]).toMatchObject({ start: 0.3, end: 0.52 });
    expect(words[4]).toMatchObject({ start: 2.2, end: 3 });
    expect(words[4].probability).toBeCloseTo(0.6, 5);
  });

  it('never puts a segment or word past the end of the audio (a re-read window\'s last timestamp can overshoot)', () => {
    const t = toTranscript({ task: 'transcribe', language: 'en', duration: 2.5, segments, vocab, withWords: true });
    expect(t.segments[0]).toMatchObject({ start: 0, end: 2.2 });
    expect(t.segments[1]).toMatchObject({ start: 2.2, end: 2.5 });
    expect(t.words!.at(-1)).toMatchObject({ word: 'Americans.', start: 2.2, end: 2.5 });
    expect(toSegment(segments[1], 1, vocab, 2.1)).toMatchObject({ start: 2.1, end: 2.1, seek: 210 });
  });

  it('measures compression the way OpenAI flags repetition', () => {
    expect(compressionRatio('la '.repeat(200))).toBeGreaterThan(10);
    expect(compressionRatio('And so my fellow Americans, ask not what your country can do for you')).toBeLessThan(2);
    expect(compressionRatio('')).toBe(0);
  });
});

describe('decode parameters', () => {
  it('temperature 0 falls back upward; a set temperature is used as is', () => {
    expect(toNativeParams({}, { multilingual: true, defaultThreads: 2 })).toMatchObject({ temperature: 0, temperature_inc: 0.2, beam_size: 5, best_of: 5, language: 'auto', n_threads: 2 });
    expect(toNativeParams({ temperature: 0.4 }, { multilingual: true, defaultThreads: 2 })).toMatchObject({ temperature: 0.4, temperature_inc: 0 });
  });

  it('fallback: false is one pass at temperature 0 (realtime partials)', () => {
    expect(toNativeParams({ fallback: false, beamSize: 1, bestOf: 1 }, { multilingual: false, defaultThreads: 2 })).toMatchObject({ temperature: 0, temperature_inc: 0 });
    expect(toNativeParams({ fallback: true }, { multilingual: false, defaultThreads: 2 })).toMatchObject({ temperature: 0, temperature_inc: 0.2 });
  });

  it('a short window also sizes whisper.cpp\'s later windows of the call (floor 10 s, margin 2 s, in encoder frames)', () => {
    const opts = { multilingual: false, defaultThreads: 2 };
    expect(toNativeParams({ audioCtx: 650 }, opts)).toMatchObject({ audio_ctx: 650, audio_ctx_floor: 500, audio_ctx_margin: 100 });
    // The full window: whisper.cpp's own rule for every window.
    for (const key of ['audio_ctx', 'audio_ctx_floor', 'audio_ctx_margin']) expect(toNativeParams({}, opts)).not.toHaveProperty(key);
  });

  it('greedy when beam ≤ 1, and no undefined keys reach the binding', () => {
    const p = toNativeParams({ beamSize: 1 }, { multilingual: true, defaultThreads: 1 });
    expect(p).not.toHaveProperty('beam_size');
    expect(Object.values(p)).not.toContain(undefined);
  });

  it('never carries text across requests (states are reused) and applies the no-speech rule', () => {
    expect(toNativeParams({}, { multilingual: true, defaultThreads: 1 })).toMatchObject({ no_context: true, no_speech_thold: 0.6, logprob_thold: -1 });
  });

  it('VAD chunking maps onto whisper.cpp\'s vad_* fields and needs the VAD model', () => {
    const vad = { threshold: 0.4, prefixPaddingMs: 300, silenceDurationMs: 200 };
    expect(toNativeParams({ vad }, { multilingual: false, defaultThreads: 1, vadModelPath: '/m/vad.bin' })).toMatchObject({
      vad: true, vad_model_path: '/m/vad.bin', vad_threshold: 0.4, vad_speech_pad_ms: 300, vad_min_silence_duration_ms: 200, vad_min_speech_duration_ms: 250,
    });
    expect(toNativeParams({}, { multilingual: false, defaultThreads: 1, vadModelPath: '/m/vad.bin' })).not.toHaveProperty('vad');
    expect(() => toNativeParams({ vad }, { multilingual: false, defaultThreads: 1 })).toThrow(/VAD/);
  });

  it('an English-only model is always English and never translates', () => {
    expect(toNativeParams({ language: 'de', translate: true }, { multilingual: false, defaultThreads: 1 })).toMatchObject({ language: 'en', translate: false });
  });
});

describe('short input', () => {
  it('pads input under 1.1 s with silence and leaves longer input alone', () => {
    const short = new Float32Array(8000).fill(0.5);
    const padded = padShortInput(short);
    expect(padded.length).toBe(17600);
    expect(padded[7999]).toBe(0.5);
    expect(padded[8000]).toBe(0);
    const long = new Float32Array(20000);
    expect(padShortInput(long)).toBe(long);
  });
});
