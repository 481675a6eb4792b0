/** The pure parts of the diarization room and of its model import, without the real models. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { absorbSmall, agglomerate } from '../../src/diarization/cluster.js';
import { alphaLabel } from '../../src/diarization/diarizer.js';
import { cosine, l2normalize } from '../../src/diarization/embedder.js';
import { Fft, RealFft } from '../../src/diarization/fft.js';
import { Ge2eMel, normalizeVolume } from '../../src/diarization/ge2e-mel.js';
import { speakerAccuracy } from '../../src/diarization/score.js';
import { FRAME_HOP, WINDOW_SAMPLES, windowStarts } from '../../src/diarization/segmentation.js';
import { buildGrid, piecesOf } from '../../src/diarization/tracks.js';
import { torchGatesToOnnx } from '../../src/models-cli/ge2e-onnx.js';
import { encodeOnnx } from '../../src/models-cli/onnx-writer.js';
import { readTarGzEntry } from '../../src/models-cli/tar-reader.js';

const unit = (...xs: number[]) => l2normalize(Float32Array.from(xs));

describe('Fft', () => {
  const dft = (x: Float64Array, k: number) => {
    let a = 0;
    let b = 0;
    for (let i = 0; i < x.length; i++) {
      a += x[i] * Math.cos((2 * Math.PI * k * i) / x.length);
      b -= x[i] * Math.sin((2 * Math.PI * k * i) / x.length);
    }
    return [a, b];
  };
  it.each([
    [300, '4·3·5·5'],
    [140, '4·5·7'],
    [16, '4·4'],
  ])('complex: matches a direct DFT at %i points (%s), imaginary input too', (n) => {
    const xr = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + (i % 7) / 10);
    const xi = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 1.3));
    const [re, im] = [new Float64Array(n), new Float64Array(n)];
    new Fft(n).forward(xr, xi, re, im);
    let err = 0;
    for (let k = 0; k < n; k++) {
      const [ar, ai] = dft(xr, k);
      const [br, bi] = dft(xi, k); // DFT(xr + i·xi) = DFT(xr) + i·DFT(xi)
      err = Math.max(err, Math.abs(ar - bi - re[k]), Math.abs(ai + br - im[k]));
    }
    expect(err).toBeLessThan(1e-9);
  });
  it('real: matches a direct DFT at 400 points, bins 0…200', () => {
    const n = 400;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.3 * Math.cos(i * 1.91) + (i % 7) / 10);
    const [re, im] = [new Float64Array(n / 2 + 1), new Float64Array(n / 2 + 1)];
    new RealFft(n).forward(x, re, im);
    let err = 0;
    for (let k = 0; k <= n / 2; k++) {
      const [a, b] = dft(x, k);
      err = Math.max(err, Math.abs(a - re[k]), Math.abs(b - im[k]));
    }
    expect(err).toBeLessThan(1e-9);
  });
  it('refuses sizes with a large prime factor', () => expect(() => new Fft(22)).toThrow(/prime factor/));
});

describe('GE2E features', () => {
  it('put a 1 kHz tone in the mel band around 1 kHz, with librosa frame count', () => {
    const wav = Float32Array.from({ length: 16000 }, (_, i) => 0.1 * Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const { data, frames } = new Ge2eMel().compute(wav);
    expect(frames).toBe(101); // 1 + floor(16000 / 160)
    const mid = data.subarray(50 * 40, 51 * 40);
    const peak = mid.indexOf(Math.max(...mid));
    expect(peak).toBeGreaterThanOrEqual(12); // Slaney 40-band scale: 1 kHz is near band 14
    expect(peak).toBeLessThanOrEqual(16);
  });
  it('normalises the level to -30 dBFS', () => {
    const out = normalizeVolume(Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? 0.5 : -0.5)));
    const rms = Math.sqrt(out.reduce((s, x) => s + x * x, 0) / out.length);
    expect(20 * Math.log10(rms)).toBeCloseTo(-30, 3);
  });
});

describe('clustering', () => {
  it('groups embeddings by similarity and stops at the threshold', () => {
    const items = [unit(1, 0.1, 0), unit(1, 0, 0.1), unit(0, 1, 0.1), unit(0.1, 1, 0), unit(0, 0, 1)].map((embedding) => ({ embedding, weight: 2 }));
    const groups = agglomerate(items, 0.8).map((c) => c.members);
    expect(groups.sort((a, b) => a[0] - b[0])).toEqual([[0, 1], [2, 3], [4]]);
    expect(agglomerate(items, -1)).toHaveLength(1);
    expect(agglomerate(items, 1.01)).toHaveLength(5);
  });
  it('folds a cluster with too little speech into its nearest neighbour', () => {
    const clusters = agglomerate(
      [unit(1, 0, 0), unit(0, 1, 0), unit(0.9, 0.2, 0.3)].map((embedding, i) => ({ embedding, weight: i === 2 ? 0.5 : 5 })),
      0.99,
    );
    const folded = absorbSmall(clusters, 1.5);
    expect(folded).toHaveLength(2);
    expect(folded.find((c) => c.members.includes(2))!.members).toContain(0);
    expect(cosine(unit(1, 0), unit(0, 1))).toBe(0);
  });
  it('labels A…Z, then AA', () => expect([0, 1, 25, 26, 27].map(alphaLabel)).toEqual(['A', 'B', 'Z', 'AA', 'AB']));
});

describe('speakerAccuracy', () => {
  const ref = [
    { start: 0, end: 10, speaker: 'x' },
    { start: 10, end: 20, speaker: 'y' },
  ];
  it('is 1 for the right turns under any label names', () => {
    const s = speakerAccuracy(ref, [
      { start: 0, end: 10, speaker: 'B' },
      { start: 10, end: 20, speaker: 'A' },
    ]);
    expect(s.accuracy).toBeCloseTo(1, 6);
    expect(s.mapping.get('B')).toBe('x');
  });
  it('counts unlabelled time and a one-speaker answer against the hypothesis', () => {
    expect(speakerAccuracy(ref, [{ start: 0, end: 20, speaker: 'A' }]).accuracy).toBeCloseTo(0.5, 2);
    expect(speakerAccuracy(ref, [{ start: 0, end: 5, speaker: 'A' }]).accuracy).toBeCloseTo(4.75 / 19, 2);
    expect(speakerAccuracy(ref, []).accuracy).toBe(0);
  });
});

describe('segmentation windows and tracks', () => {
  it('cover the input with the fewest windows no further apart than the longest hop, spread evenly on the frame grid', () => {
    expect(windowStarts(100, 1000)).toEqual([0]);
    expect(windowStarts(WINDOW_SAMPLES, 520 * FRAME_HOP)).toEqual([0]);
    // 18.6 s at hops of at most 520 frames: 2 windows, the second ending at the input's end on the frame grid.
    const falcon = windowStarts(Math.round(16000 * 18.6), 520 * FRAME_HOP);
    expect(falcon).toEqual([0, Math.ceil((16000 * 18.6 - WINDOW_SAMPLES) / FRAME_HOP) * FRAME_HOP]);
    for (const [seconds, maxFrames] of [
      [23, 296],
      [47.9, 520],
      [600, 444],
    ]) {
      const length = Math.round(16000 * seconds);
      const starts = windowStarts(length, maxFrames * FRAME_HOP);
      const hops = starts.slice(1).map((s, i) => (s - starts[i]) / FRAME_HOP);
      expect(starts[0]).toBe(0);
      for (const s of starts) expect(s % FRAME_HOP).toBe(0);
      const last = starts[starts.length - 1];
      expect(last + WINDOW_SAMPLES).toBeGreaterThanOrEqual(length);
      expect(last + WINDOW_SAMPLES - length).toBeLessThan(FRAME_HOP);
      expect(Math.max(...hops)).toBeLessThanOrEqual(maxFrames);
      // Even: hops differ by at most one frame; fewest: one window less could not cover it.
      expect(Math.max(...hops) - Math.min(...hops)).toBeLessThanOrEqual(1);
      expect((starts.length - 2) * maxFrames * FRAME_HOP + WINDOW_SAMPLES).toBeLessThan(length);
    }
  });
  it('chain a local speaker across windows where they agree, and cut pieces at long silences', () => {
    // Two windows 100 frames apart; local speaker 0 of the first is local speaker 2 of the second.
    const w0 = new Uint8Array(589);
    const w1 = new Uint8Array(589);
    for (let f = 100; f < 300; f++) w0[f] = 0b001;
    for (let f = 0; f < 200; f++) w1[f] = 0b100;
    for (let f = 400; f < 500; f++) w1[f] = 0b100; // same track after a long pause
    const grid = buildGrid(
      [
        { start: 0, frames: 589, active: w0 },
        { start: 100 * FRAME_HOP, frames: 589, active: w1 },
      ],
      (689 * FRAME_HOP) + 495,
    );
    const pieces = piecesOf(grid, 30);
    expect(pieces.map((p) => [p.track, p.first, p.last])).toEqual([
      [0, 100, 299],
      [0, 500, 599],
    ]);
  });
});

describe('model import building blocks', () => {
  it('reorders LSTM gates from PyTorch [i f g o] to ONNX [i o f c]', () => {
    const w = Float32Array.from([1, 1, 2, 2, 3, 3, 4, 4]); // hidden 1, 2 inputs per row
    expect([...torchGatesToOnnx(w, 1)]).toEqual([1, 1, 4, 4, 2, 2, 3, 3]);
  });

  it('writes ONNX that onnxruntime runs: Gemm → Relu → LpNormalization', async () => {
    const model = encodeOnnx({
      name: 't',
      opset: 17,
      producer: 'test',
      inputs: [{ name: 'x', dims: ['batch', 2] }],
      outputs: [{ name: 'y', dims: ['batch', 2] }],
      initializers: [
        { name: 'W', dims: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
        { name: 'b', dims: [2], data: Float32Array.from([0, -100]) },
        { name: 'axes', dims: [1], data: BigInt64Array.of(-1n) },
      ],
      nodes: [
        { op: 'Gemm', inputs: ['x', 'W', 'b'], outputs: ['z'], attrs: { transB: 1, alpha: { float: 1 } } },
        { op: 'Relu', inputs: ['z'], outputs: ['r'] },
        { op: 'Unsqueeze', inputs: ['r', 'axes'], outputs: ['u'] },
        { op: 'Squeeze', inputs: ['u', 'axes'], outputs: ['s'] },
        { op: 'LpNormalization', inputs: ['s'], outputs: ['y'], attrs: { axis: 1, p: 2 } },
      ],
      metadata: { source: 'unit test' },
    });
    const session = await ort.InferenceSession.create(model);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 3, 4]), [2, 2]) });
    // [1,1]·Wᵀ = [3, 7] + b = [3, -93] → relu [3, 0] → [1, 0]; [3,4]·Wᵀ = [11, 25] + b → [11, 0] → [1, 0]
    expect([...(out.y.data as Float32Array)]).toEqual([1, 0, 1, 0]);
    await session.release();
  });

  it('reads one file out of a .tar.gz (an sdist)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tar-'));
    writeFileSync(path.join(dir, 'a.txt'), 'first');
    writeFileSync(path.join(dir, 'b.bin'), Buffer.alloc(1500, 7));
    execFileSync('tar', ['czf', path.join(dir, 'x.tar.gz'), '-C', dir, 'a.txt', 'b.bin']);
    expect(readTarGzEntry(path.join(dir, 'x.tar.gz'), 'b.bin')).toEqual(Buffer.alloc(1500, 7));
    expect(readTarGzEntry(path.join(dir, 'x.tar.gz'), 'a.txt').toString()).toBe('first');
    expect(() => readTarGzEntry(path.join(dir, 'x.tar.gz'), 'c')).toThrow(/has no c/);
  });
});
