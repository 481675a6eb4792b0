import { type ByteSource, Cursor } from './byte-source.js';
import { GGML_MAGIC, type GgmlTensorInfo, HPARAM_KEYS, type WhisperHparams, tensorByteLength } from './ggml-format.js';

export interface GgmlFile {
  hparams: WhisperHparams;
  mel: { nMel: number; nFft: number; filters: Float32Array };
  tokens: Buffer[];
  tensors: GgmlTensorInfo[];
}

/** Parses a whisper.cpp ggml file's structure (tensor data is located, not read). */
export function readGgml(src: ByteSource): GgmlFile {
  const c = new Cursor(src);
  const magic = c.u32();
  if (magic !== GGML_MAGIC) throw new Error(`not a ggml whisper file (magic 0x${magic.toString(16)})`);
  const hparams = Object.fromEntries(HPARAM_KEYS.map((k) => [k, c.i32()])) as unknown as WhisperHparams;
  const nMel = c.i32();
  const nFft = c.i32();
  const filterBytes = c.bytes(4 * nMel * nFft);
  const filters = new Float32Array(filterBytes.buffer.slice(filterBytes.byteOffset, filterBytes.byteOffset + filterBytes.length));
  const nTokens = c.i32();
  const tokens: Buffer[] = [];
  for (let i = 0; i < nTokens; i++) tokens.push(Buffer.from(c.bytes(c.u32())));
  const tensors = readTensorTable(c);
  return { hparams, mel: { nMel, nFft, filters }, tokens, tensors };
}

/**
 * Reads tensor records from the cursor to EOF. `minDims` is 0 for the VAD
 * file, whose converter writes its one scalar (a conv bias) with no dims.
 */
export function readTensorTable(c: Cursor, minDims = 1): GgmlTensorInfo[] {
  const tensors: GgmlTensorInfo[] = [];
  while (c.remaining > 0) {
    const nDims = c.i32();
    const nameLength = c.i32();
    const type = c.i32();
    if (nDims < minDims || nDims > 4 || nameLength <= 0 || nameLength > 1024) {
      throw new Error(`corrupt tensor header at byte ${c.pos - 12}`);
    }
    const ne = Array.from({ length: nDims }, () => c.i32());
    const name = c.bytes(nameLength).toString('utf8');
    const byteLength = tensorByteLength(type, ne.reduce((a, b) => a * b, 1));
    if (byteLength > c.remaining) throw new Error(`tensor ${name} is truncated`);
    tensors.push({ name, type, ne, offset: c.pos, byteLength });
    c.skip(byteLength);
  }
  return tensors;
}
