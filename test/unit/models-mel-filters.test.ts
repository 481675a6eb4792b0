import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hzToMel, melFilterBank, melToHz } from '../../src/models-cli/mel-filters.js';

/**
 * Reference numbers from librosa 0.11.0 / numpy 2.4:
 *   librosa.filters.mel(sr=16000, n_fft=400, n_mels=N)   (Slaney scale + norm, float32)
 * The digests are of the little-endian float32 matrix with librosa's single
 * -0.0 (at [0, 0]) written as +0.0: Whisper's own mel_filters.npz, and so every
 * published ggml file, has +0.0 there, and that is what we must reproduce.
 */
const LIBROSA = {
  80: {
    sha256: '85818f156f7e189453901a515e4726d270d307f976e161cf9403e8caab405498',
    nonzero: 391,
    sum: 1.999024092387117,
    values: [[0, 1, 0.024862595], [1, 2, 0.022871772], [40, 43, 0.014735566], [79, 192, 0.0031647119]],
  },
  128: {
    sha256: 'e399c2d72d2f7375e503c296d8453cefcc0c1e47a9c1a0a09e0d70f59c820f20',
    nonzero: 394,
    sum: 3.1909855409403463,
    values: [[0, 1, 0.012373987], [64, 43, 0.018091518], [127, 195, 0.0050416016]],
  },
} as const;

describe('melFilterBank', () => {
  for (const n of [80, 128] as const) {
    const ref = LIBROSA[n];
    const bank = melFilterBank(n);

    it(`${n} bins: byte-identical to librosa (with +0.0)`, () => {
      expect(bank.length).toBe(n * 201);
      expect(createHash('sha256').update(new Uint8Array(bank.buffer)).digest('hex')).toBe(ref.sha256);
    });

    it(`${n} bins: spot values, support and total weight`, () => {
      for (const [i, k, v] of ref.values) expect(bank[i * 201 + k]).toBe(Math.fround(v));
      expect(bank.filter((x) => x !== 0).length).toBe(ref.nonzero);
      expect(bank.reduce((a, b) => a + b, 0)).toBeCloseTo(ref.sum, 6);
    });
  }

  it('never emits negative zero or negative weights', () => {
    expect(melFilterBank(80).every((x) => x > 0 || Object.is(x, 0))).toBe(true);
  });
});

describe('Slaney mel scale', () => {
  it('is linear below 1 kHz and logarithmic above', () => {
    expect(hzToMel(200)).toBeCloseTo(3, 12);
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(6400)).toBeCloseTo(42, 12); // log step is ln(6.4)/27
  });

  it('melToHz inverts hzToMel', () => {
    for (const hz of [0, 440, 999, 1000, 4321, 8000]) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 9);
  });
});
