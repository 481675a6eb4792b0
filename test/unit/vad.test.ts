import { describe, expect, it } from 'vitest';
import { AUTO_VAD, SERVER_VAD_DEFAULTS, vadFor } from '../../src/services/transcription.js';
import { loadSileroVad, VAD_FRAME_SAMPLES } from '../../src/engine/vad.js';
import type { NativeVad } from '../../src/engine/native.js';

describe('chunking_strategy → VAD settings', () => {
  const on = { default: 'auto' as const, available: true };
  it('absent follows VAD_FILTER; auto uses the server settings; off decodes everything', () => {
    expect(vadFor(undefined, on)).toEqual(AUTO_VAD);
    expect(vadFor(undefined, { default: 'off', available: true })).toBeUndefined();
    expect(vadFor('auto', { default: 'off', available: true })).toEqual(AUTO_VAD);
    // "auto" lets the server choose: without a VAD model, the whole file.
    expect(vadFor('auto', { default: 'auto', available: false })).toBeUndefined();
  });
  it('server_vad takes the client values and OpenAI defaults for the rest', () => {
    expect(vadFor({ type: 'server_vad', threshold: 0.3 }, on)).toEqual({ ...SERVER_VAD_DEFAULTS, threshold: 0.3 });
    expect(vadFor({ type: 'server_vad', prefixPaddingMs: 0, silenceDurationMs: 900 }, { default: 'off', available: false })).toEqual({
      ...SERVER_VAD_DEFAULTS, prefixPaddingMs: 0, silenceDurationMs: 900,
    });
  });
});

/** A native VAD that scores a frame as its first sample (so tests script probabilities in the audio). */
function fakeNative() {
  const calls: { frames: number; reset: boolean }[] = [];
  let loads = 0;
  let freed = 0;
  return {
    calls,
    get loads() { return loads; },
    get freed() { return freed; },
    vadLoad: async () => (loads++, { id: loads } as unknown as NativeVad),
    vadProbs: async (_v: NativeVad, pcm: Float32Array, reset: boolean) => {
      calls.push({ frames: pcm.length / VAD_FRAME_SAMPLES, reset });
      return Float32Array.from({ length: pcm.length / VAD_FRAME_SAMPLES }, (_, i) => pcm[i * VAD_FRAME_SAMPLES]);
    },
    vadSegments: async (_v: NativeVad, _p: Float32Array, _params: unknown): Promise<{ start: number; end: number }[]> => [{ start: 1, end: 2 }],
    vadReset: () => {},
    vadFree: () => void freed++,
  };
}

const frames = (...probs: number[]) => {
  const pcm = new Float32Array(probs.length * VAD_FRAME_SAMPLES);
  probs.forEach((p, i) => (pcm[i * VAD_FRAME_SAMPLES] = p));
  return pcm;
};

describe('engine VAD stream', () => {
  it('feeds whole 512-sample frames, keeps the remainder, and resets the LSTM only at the start and after reset()', async () => {
    const native = fakeNative();
    const vad = await loadSileroVad(native, '/m/vad.bin');
    const s = vad.createStream({ threshold: 0.5, prefixPaddingMs: 0, silenceDurationMs: 64 });
    const all = frames(0.1, 0.9, 0.9, 0.1, 0.1, 0.1);
    const a = await s.push(all.subarray(0, 700)); // 1 frame + 188 samples
    const b = await s.push(all.subarray(700));
    expect(a.probabilities.length + b.probabilities.length).toBe(6);
    expect(native.calls.map((c) => c.reset)).toEqual([true, false]);
    expect([...a.events, ...b.events]).toEqual([
      { type: 'speech_start', sample: 512 },
      // 0.1 < 0.5 − 0.15; two silent frames (64 ms) after the last speech frame end the span.
      { type: 'speech_end', sample: 3 * 512 },
    ]);
    s.reset();
    await s.push(frames(0.9));
    expect(native.calls.at(-1)).toEqual({ frames: 1, reset: true });
    s.close();
    await new Promise((r) => setTimeout(r, 0));
    expect(native.freed).toBe(1);
    await expect(s.push(frames(0.1))).rejects.toMatchObject({ code: 'request_cancelled' });
    await vad.free();
    expect(native.freed).toBe(2);
  });

  it('detect() passes the settings through in whisper.cpp names', async () => {
    const native = fakeNative();
    let seen: unknown;
    native.vadSegments = async (_v: NativeVad, _p: Float32Array, params: unknown) => ((seen = params), [{ start: 1, end: 2 }]);
    const vad = await loadSileroVad(native, '/m/vad.bin');
    expect(await vad.detect(frames(0.9), { threshold: 0.6, prefixPaddingMs: 100, silenceDurationMs: 300 })).toEqual([{ start: 1, end: 2 }]);
    expect(seen).toEqual({ threshold: 0.6, speech_pad_ms: 100, min_silence_duration_ms: 300, min_speech_duration_ms: 250 });
  });
});
