import { describe, expect, it } from 'vitest';
import { floatToHalf, halfBufferToFloats, halfToFloat } from '../../src/models-cli/half.js';

describe('f16 conversions', () => {
  it('decodes known bit patterns', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
  });

  it('encodes with round-to-nearest-even like numpy and F16C', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie, rounds to even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, rounds to even (up)
    expect(floatToHalf(65519)).toBe(0x7bff);
    expect(floatToHalf(65520)).toBe(0x7c00); // rounds up to infinity
    expect(floatToHalf(2 ** -25)).toBe(0x0000); // half the smallest subnormal: tie to even
    expect(floatToHalf(3 * 2 ** -25)).toBe(0x0002);
    expect(floatToHalf(2 ** -14 - 2 ** -26)).toBe(0x0400); // rounds up into the normal range
    expect(floatToHalf(-0)).toBe(0x8000);
    expect(floatToHalf(NaN) & 0x7c00).toBe(0x7c00);
  });

  it('round-trips every finite half exactly', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) !== 0x7c00 && floatToHalf(halfToFloat(h)) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('decodes little-endian buffers', () => {
    expect([...halfBufferToFloats(Buffer.from([0x00, 0x3c, 0x00, 0xc0]))]).toEqual([1, -2]);
  });
});
