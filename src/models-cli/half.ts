/**
 * IEEE 754 binary16 <-> binary32 conversions. Whisper weights are stored as f16 in
 * both CTranslate2 and ggml, so most tensors are copied untouched; these are for
 * the f32 tensors whisper.cpp wants and for quantisation input.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Exact: every f16 value is representable in f32. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Round-to-nearest-even, like numpy's astype(float16) and the F16C instruction ggml uses. */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> inf
  if (e <= 0) {
    // Result is subnormal (or rounds to zero): shift the implicit bit in, then round.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let r = mant >>> shift;
    if (rest > half || (rest === half && (r & 1))) r++;
    return sign | r;
  }
  const rest = mant & 0x1fff;
  let r = (e << 10) | (mant >>> 13);
  // A carry out of the mantissa correctly bumps the exponent (and may reach inf).
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1))) r++;
  return sign | r;
}

/** Decodes a little-endian f16 buffer into f32 values. */
export function halfBufferToFloats(src: Buffer): Float32Array {
  const n = src.length >>> 1;
  const out = new Float32Array(n);
  const lut = halfTable();
  for (let i = 0; i < n; i++) out[i] = lut[src[2 * i] | (src[2 * i + 1] << 8)];
  return out;
}

/** Encodes f32 values as a little-endian f16 buffer. */
export function floatsToHalfBuffer(src: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(src.length * 2);
  for (let i = 0; i < src.length; i++) out.writeUInt16LE(floatToHalf(src[i]), 2 * i);
  return out;
}

let table: Float32Array | undefined;

/** 65536 entries (256 KiB): a lookup beats recomputing for tens of millions of weights. */
function halfTable(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = halfToFloat(h);
  }
  return table;
}
