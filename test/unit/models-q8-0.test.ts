import { describe, expect, it } from 'vitest';
import { halfToFloat } from '../../src/models-cli/half.js';
import { Q8_0_BLOCK_BYTES, dequantizeQ8_0, q8_0Bytes, quantizeQ8_0 } from '../../src/models-cli/q8-0.js';

function block(values: number[]): Float32Array {
  const b = new Float32Array(32);
  b.set(values);
  return b;
}

describe('q8_0 quantisation', () => {
  it('packs 32 values into 34 bytes: f16 scale then int8 quants', () => {
    expect(Q8_0_BLOCK_BYTES).toBe(34);
    expect(q8_0Bytes(384 * 1536)).toBe((384 * 1536 * 34) / 32);
    const out = quantizeQ8_0(block([127, -63.5, 2.5, -2.5, 0.49]));
    expect(out.length).toBe(34);
    expect(out.readUInt16LE(0)).toBe(0x3c00); // d = amax / 127 = 1.0
    // C roundf: halves go away from zero, so 2.5 -> 3 and -2.5 -> -3.
    expect([...new Int8Array(out.buffer, out.byteOffset + 2, 5)]).toEqual([127, -64, 3, -3, 0]);
  });

  it('uses the largest magnitude of each block, including negative ones', () => {
    const out = quantizeQ8_0(block([-254, 1]));
    expect(halfToFloat(out.readUInt16LE(0))).toBe(2);
    expect(out.readInt8(2)).toBe(-127);
    expect(out.readInt8(3)).toBe(1); // 1 * (1/2) = 0.5 rounds away to 1
  });

  it('writes an all-zero block as scale 0 and zero quants', () => {
    expect([...quantizeQ8_0(new Float32Array(32))]).toEqual(new Array(34).fill(0));
  });

  it('reconstructs within half a step (plus the f16 rounding of the scale)', () => {
    const src = Float32Array.from({ length: 32 * 64 }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
    const q = quantizeQ8_0(src);
    const back = dequantizeQ8_0(q, halfToFloat);
    for (let b = 0; b < 64; b++) {
      const d = halfToFloat(q.readUInt16LE(b * 34));
      for (let j = 0; j < 32; j++) expect(Math.abs(back[b * 32 + j] - src[b * 32 + j])).toBeLessThanOrEqual(d * (0.5 + 127 / 2048) + 1e-6);
    }
  });

  it('refuses lengths that are not whole blocks', () => {
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(/multiple of 32/);
  });
});
