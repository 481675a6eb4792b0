import { floatToHalf } from './half.js';

/**
 * ggml's Q8_0 layout: blocks of 32 weights, each stored as an f16 scale `d`
 * followed by 32 signed bytes, so x ≈ d * q. This mirrors quantize_row_q8_0_ref
 * in ggml-quants.c (the path whisper.cpp's quantize tool takes), including
 * float32 rounding and C roundf's ties-away-from-zero, so output is bit-exact.
 */
export const QK8_0 = 32;
export const Q8_0_BLOCK_BYTES = 2 + QK8_0;

export function q8_0Bytes(elements: number): number {
  if (elements % QK8_0 !== 0) throw new Error(`q8_0 needs a multiple of ${QK8_0} elements, got ${elements}`);
  return (elements / QK8_0) * Q8_0_BLOCK_BYTES;
}

/** roundf: halves go away from zero (Math.round would send -2.5 to -2). */
function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export function quantizeQ8_0(src: Float32Array): Buffer {
  const out = Buffer.alloc(q8_0Bytes(src.length));
  const q = new Int8Array(out.buffer, out.byteOffset, out.length);
  for (let b = 0, o = 0; b < src.length; b += QK8_0, o += Q8_0_BLOCK_BYTES) {
    let amax = 0;
    for (let j = 0; j < QK8_0; j++) amax = Math.max(amax, Math.abs(src[b + j]));
    const d = Math.fround(amax / 127);
    const id = d ? Math.fround(1 / d) : 0;
    out.writeUInt16LE(floatToHalf(d), o);
    for (let j = 0; j < QK8_0; j++) q[o + 2 + j] = roundAway(Math.fround(src[b + j] * id));
  }
  return out;
}

/** Inverse, for tests and inspection. */
export function dequantizeQ8_0(buf: Buffer, halfToFloat: (h: number) => number): Float32Array {
  const blocks = buf.length / Q8_0_BLOCK_BYTES;
  const out = new Float32Array(blocks * QK8_0);
  for (let b = 0; b < blocks; b++) {
    const d = halfToFloat(buf.readUInt16LE(b * Q8_0_BLOCK_BYTES));
    for (let j = 0; j < QK8_0; j++) out[b * QK8_0 + j] = d * buf.readInt8(b * Q8_0_BLOCK_BYTES + 2 + j);
  }
  return out;
}
