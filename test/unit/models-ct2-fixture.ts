import { deflateRawSync } from 'node:zlib';
import { bytesToToken } from '../../src/models-cli/bpe-bytes.js';
import { CT2_DTYPES, type Ct2DType } from '../../src/models-cli/ct2-reader.js';
import { floatsToHalfBuffer } from '../../src/models-cli/half.js';

/** Builders for small synthetic CTranslate2 models and zip files, shared by the models-* tests. */

export interface FixtureVar {
  name: string;
  shape: number[];
  dtype: Ct2DType;
  data: Buffer;
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16LE(b.length + 1);
  return Buffer.concat([len, b, Buffer.from([0])]);
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** Serialises like ctranslate2.specs.model_spec.ModelSpec._serialize (binary version >= 4). */
export function ct2ModelBin(vars: FixtureVar[], aliases: [string, string][] = [], version = 6, spec = 'WhisperSpec'): Buffer {
  const parts = [u32(version), str(spec), u32(3), u32(vars.length)];
  for (const v of vars) {
    parts.push(str(v.name), Buffer.from([v.shape.length]), ...v.shape.map(u32), Buffer.from([CT2_DTYPES.indexOf(v.dtype)]), u32(v.data.length), v.data);
  }
  parts.push(u32(aliases.length));
  for (const [alias, target] of aliases) parts.push(str(alias), str(target));
  return Buffer.concat(parts);
}

export const f16 = (values: ArrayLike<number>) => floatsToHalfBuffer(Float32Array.from(values));
export const f32 = (values: ArrayLike<number>) => Buffer.from(Float32Array.from(values).buffer);
export const int16Scalar = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16LE(n);
  return b;
};

/** Every element of row r is r/64 + offset: exact in f16, and it shows which rows went where. */
export function rowValues(rows: number, cols: number, offset = 0): number[] {
  return Array.from({ length: rows * cols }, (_, i) => Math.floor(i / cols) / 64 + offset);
}

export interface WhisperDims {
  d: number;
  nMels: number;
  nVocab: number;
  audioCtx: number;
  textCtx: number;
  heads: number;
  encLayers: number;
  decLayers: number;
}

export const SMALL_DIMS: WhisperDims = { d: 32, nMels: 8, nVocab: 51864, audioCtx: 6, textCtx: 4, heads: 2, encLayers: 1, decLayers: 2 };

function linear(out: FixtureVar[], prefix: string, rows: number, cols: number, offset: number, bias: number[] = rowValues(rows, 1, offset)): void {
  out.push({ name: `${prefix}/weight`, shape: [rows, cols], dtype: 'float16', data: f16(rowValues(rows, cols, offset)) });
  out.push({ name: `${prefix}/bias`, shape: [rows], dtype: 'float16', data: f16(bias) });
}

function norm(out: FixtureVar[], prefix: string, d: number): void {
  out.push({ name: `${prefix}/gamma`, shape: [d], dtype: 'float16', data: f16(new Array(d).fill(1)) });
  out.push({ name: `${prefix}/beta`, shape: [d], dtype: 'float16', data: f16(new Array(d).fill(0.5)) });
}

/** A complete (if tiny) Whisper in CT2's variable layout, float16 like faster-whisper's models. */
export function whisperVars(dims: WhisperDims = SMALL_DIMS): { vars: FixtureVar[]; aliases: [string, string][] } {
  const { d } = dims;
  const v: FixtureVar[] = [];
  // Fused q/k/v bias with CT2's zero padding where Whisper's key has no bias.
  const qkvBias = [...new Array(d).fill(1), ...new Array(d).fill(0), ...new Array(d).fill(3)];
  const selfAttn = (p: string) => {
    linear(v, `${p}/self_attention/linear_0`, 3 * d, d, 0, qkvBias);
    linear(v, `${p}/self_attention/linear_1`, d, d, 10);
    norm(v, `${p}/self_attention/layer_norm`, d);
  };
  const ffn = (p: string) => {
    linear(v, `${p}/ffn/linear_0`, 4 * d, d, 20);
    linear(v, `${p}/ffn/linear_1`, d, 4 * d, 30);
    norm(v, `${p}/ffn/layer_norm`, d);
  };
  v.push({ name: 'encoder/num_heads', shape: [], dtype: 'int16', data: int16Scalar(dims.heads) });
  v.push({ name: 'decoder/num_heads', shape: [], dtype: 'int16', data: int16Scalar(dims.heads) });
  v.push({ name: 'encoder/conv1/weight', shape: [d, dims.nMels, 3], dtype: 'float16', data: f16(rowValues(d, dims.nMels * 3)) });
  v.push({ name: 'encoder/conv1/bias', shape: [d], dtype: 'float16', data: f16(rowValues(d, 1, 0.25)) });
  v.push({ name: 'encoder/conv2/weight', shape: [d, d, 3], dtype: 'float16', data: f16(rowValues(d, d * 3)) });
  v.push({ name: 'encoder/conv2/bias', shape: [d], dtype: 'float16', data: f16(rowValues(d, 1, 0.5)) });
  v.push({ name: 'encoder/position_encodings/encodings', shape: [dims.audioCtx, d], dtype: 'float16', data: f16(rowValues(dims.audioCtx, d)) });
  norm(v, 'encoder/layer_norm', d);
  for (let i = 0; i < dims.encLayers; i++) {
    selfAttn(`encoder/layer_${i}`);
    ffn(`encoder/layer_${i}`);
  }
  v.push({ name: 'decoder/embeddings/weight', shape: [dims.nVocab, d], dtype: 'float16', data: f16(new Array(dims.nVocab * d).fill(0.125)) });
  v.push({ name: 'decoder/position_encodings/encodings', shape: [dims.textCtx, d], dtype: 'float16', data: f16(rowValues(dims.textCtx, d)) });
  norm(v, 'decoder/layer_norm', d);
  for (let i = 0; i < dims.decLayers; i++) {
    selfAttn(`decoder/layer_${i}`);
    linear(v, `decoder/layer_${i}/attention/linear_0`, d, d, 40);
    linear(v, `decoder/layer_${i}/attention/linear_1`, 2 * d, d, 50, [...new Array(d).fill(0), ...new Array(d).fill(7)]);
    linear(v, `decoder/layer_${i}/attention/linear_2`, d, d, 60);
    norm(v, `decoder/layer_${i}/attention/layer_norm`, d);
    ffn(`decoder/layer_${i}`);
  }
  v.sort((a, b) => (a.name < b.name ? -1 : 1)); // CT2 writes variables in name order
  return { vars: v, aliases: [['decoder/projection/weight', 'decoder/embeddings/weight']] };
}

/** 50256 ordinary tokens, then <|endoftext|> and a few specials, as a .en model has. */
export function englishVocabulary(n = SMALL_DIMS.nVocab): string[] {
  const t = Array.from({ length: 50256 }, (_, i) => bytesToToken(Buffer.from(i === 0 ? ' ' : `t${i}`)));
  t.push('<|endoftext|>', '<|startoftranscript|>');
  while (t.length < n) t.push(`<|${(t.length * 0.02).toFixed(2)}|>`);
  return t;
}

function crc32(buf: Buffer): number {
  let c = ~0 >>> 0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

/** A minimal zip writer (stored or deflated), enough to build wheels in tests. */
export function zipFile(entries: { name: string; data: Buffer; deflate?: boolean }[]): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(e.deflate ? 8 : 0, 8);
    h.writeUInt32LE(crc32(e.data), 14);
    h.writeUInt32LE(body.length, 18);
    h.writeUInt32LE(e.data.length, 22);
    h.writeUInt16LE(name.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(e.deflate ? 8 : 0, 10);
    c.writeUInt32LE(crc32(e.data), 16);
    c.writeUInt32LE(body.length, 20);
    c.writeUInt32LE(e.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    local.push(h, name, body);
    central.push(c, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, cd, end]);
}
