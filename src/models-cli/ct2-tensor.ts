import type { ByteSource } from './byte-source.js';
import { type Ct2Index, type Ct2Variable, findVariable } from './ct2-reader.js';
import { floatsToHalfBuffer, halfBufferToFloats } from './half.js';

/**
 * Tensor payloads move through the converter either as raw little-endian f16
 * bytes (the common case: copied straight from CT2 into ggml, bit for bit) or
 * as f32 values when a conversion is needed.
 */
export type TensorData = { kind: 'f16'; data: Buffer } | { kind: 'f32'; data: Float32Array };

/** A slice of rows along the first axis, which is how fused projections split. */
export interface RowRange {
  start: number;
  count: number;
}

/** Copies, because Buffers may sit unaligned inside a shared pool. */
function floatView(b: Buffer): Float32Array {
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

function rowElements(v: Ct2Variable): number {
  return v.shape.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * Reads rows [start, start+count) of a variable. int8/int16 weights are
 * dequantised the way CTranslate2 does it (value * (1/scale) in float32, one
 * scale per output row for int8, one per tensor for int16).
 */
export function readRows(src: ByteSource, index: Ct2Index, v: Ct2Variable, range?: RowRange): TensorData {
  const rows = v.shape.length === 0 ? 1 : v.shape[0];
  const { start, count } = range ?? { start: 0, count: rows };
  if (start < 0 || start + count > rows) throw new Error(`rows ${start}..${start + count} out of range for ${v.name} [${v.shape}]`);
  const per = rowElements(v);
  const item = v.byteLength / (rows * per);
  const raw = src.read(v.offset + start * per * item, count * per * item);
  switch (v.dtype) {
    case 'float16':
      return { kind: 'f16', data: raw };
    case 'float32':
      return { kind: 'f32', data: floatView(raw) };
    case 'bfloat16': {
      // bf16 is the top half of an f32.
      const out = new Float32Array(raw.length / 2);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) u[i] = raw.readUInt16LE(2 * i) << 16;
      return { kind: 'f32', data: out };
    }
    case 'int8':
    case 'int16':
      return { kind: 'f32', data: dequantise(src, index, v, raw, start, count, per) };
    default:
      throw new Error(`cannot convert ${v.name}: unsupported dtype ${v.dtype}`);
  }
}

function dequantise(src: ByteSource, index: Ct2Index, v: Ct2Variable, raw: Buffer, start: number, count: number, per: number): Float32Array {
  if (findVariable(index, `${v.name}_zero`)) throw new Error(`${v.name} uses AWQ zero points, which this importer does not support`);
  const sv = findVariable(index, `${v.name}_scale`);
  if (!sv) throw new Error(`${v.name} is ${v.dtype} but ${v.name}_scale is missing`);
  if (sv.dtype !== 'float32') throw new Error(`${sv.name} has dtype ${sv.dtype}, expected float32`);
  const scales = floatView(src.read(sv.offset, sv.byteLength));
  const perRow = scales.length > 1;
  if (perRow && scales.length !== v.shape[0]) throw new Error(`${sv.name} has ${scales.length} scales for ${v.shape[0]} rows`);
  const out = new Float32Array(count * per);
  for (let r = 0; r < count; r++) {
    const inv = Math.fround(1 / scales[perRow ? start + r : 0]);
    for (let j = 0; j < per; j++) {
      const q = v.dtype === 'int8' ? raw.readInt8(r * per + j) : raw.readInt16LE(2 * (r * per + j));
      out[r * per + j] = q * inv; // the Float32Array store rounds like C's float multiply
    }
  }
  return out;
}

export function toFloats(t: TensorData): Float32Array {
  return t.kind === 'f32' ? t.data : halfBufferToFloats(t.data);
}

export function toHalfBytes(t: TensorData): Buffer {
  return t.kind === 'f16' ? t.data : floatsToHalfBuffer(t.data);
}

export function toFloatBytes(t: TensorData): Buffer {
  const f = toFloats(t);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}
