import { type ByteSource, Cursor } from './byte-source.js';

/**
 * Reader for CTranslate2's model.bin, following the writer in
 * python/ctranslate2/specs/model_spec.py and the loader in src/models/model.cc:
 *
 *   u32 binary_version
 *   (v>=2) string spec_name, u32 spec_revision
 *   u32 n_variables, then per variable:
 *     string name, u8 rank, u32 dims[rank],
 *     (v>=4) u8 dtype_id, u32 n_bytes  |  (v<4) u8 item_size, u32 n_elements
 *     bytes data
 *   (v>=3) u32 n_aliases, then pairs of strings (alias, target)
 *
 * Strings are a u16 length that counts a trailing NUL, then the bytes.
 * Only the index is read here; tensor data is fetched on demand.
 */

export const MAX_BINARY_VERSION = 6;

/** Order matches the DataType enum in include/ctranslate2/types.h. */
export const CT2_DTYPES = ['float32', 'int8', 'int16', 'int32', 'float16', 'bfloat16'] as const;
export type Ct2DType = (typeof CT2_DTYPES)[number];

const ITEM_SIZE: Record<Ct2DType, number> = { float32: 4, int8: 1, int16: 2, int32: 4, float16: 2, bfloat16: 2 };

export interface Ct2Variable {
  name: string;
  shape: number[];
  dtype: Ct2DType;
  /** Absolute offset of the data in model.bin. */
  offset: number;
  byteLength: number;
}

export interface Ct2Index {
  binaryVersion: number;
  specName: string;
  specRevision: number;
  variables: Map<string, Ct2Variable>;
  /** alias -> target, e.g. decoder/projection/weight -> decoder/embeddings/weight (tied weights). */
  aliases: Map<string, string>;
}

function readString(c: Cursor): string {
  const len = c.u16();
  if (len === 0) throw new Error(`invalid string length 0 at byte ${c.pos - 2} of model.bin`);
  return c.bytes(len).toString('utf8', 0, len - 1);
}

/** Pre-v4 files only stored the item width; model.cc maps it like this. */
function dtypeFromItemSize(size: number): Ct2DType {
  const dtype = ({ 4: 'float32', 2: 'int16', 1: 'int8' } as const)[size as 1 | 2 | 4];
  if (!dtype) throw new Error(`unknown CTranslate2 item size ${size}`);
  return dtype;
}

export function readCt2Index(src: ByteSource): Ct2Index {
  const c = new Cursor(src);
  const binaryVersion = c.u32();
  if (binaryVersion < 1 || binaryVersion > MAX_BINARY_VERSION) {
    throw new Error(`model.bin has binary version ${binaryVersion}; this reader knows 1..${MAX_BINARY_VERSION} (is it a CTranslate2 model?)`);
  }
  const specName = binaryVersion >= 2 ? readString(c) : '';
  const specRevision = binaryVersion >= 2 ? c.u32() : 1;
  const count = c.u32();
  const variables = new Map<string, Ct2Variable>();
  for (let i = 0; i < count; i++) {
    const name = readString(c);
    const rank = c.u8();
    const shape = Array.from({ length: rank }, () => c.u32());
    let dtype: Ct2DType;
    let byteLength: number;
    if (binaryVersion >= 4) {
      const id = c.u8();
      dtype = CT2_DTYPES[id];
      if (!dtype) throw new Error(`variable ${name} has unknown dtype id ${id}`);
      byteLength = c.u32();
    } else {
      dtype = dtypeFromItemSize(c.u8());
      byteLength = c.u32() * ITEM_SIZE[dtype];
    }
    const elements = shape.reduce((a, b) => a * b, 1);
    if (elements * ITEM_SIZE[dtype] !== byteLength) {
      throw new Error(`variable ${name} has an invalid payload size (${byteLength} bytes for ${dtype}[${shape.join(', ')}])`);
    }
    if (byteLength > c.remaining) throw new Error(`model.bin is truncated inside variable ${name}`);
    variables.set(name, { name, shape, dtype, offset: c.pos, byteLength });
    c.skip(byteLength);
  }
  const aliases = new Map<string, string>();
  if (binaryVersion >= 3) {
    const n = c.u32();
    for (let i = 0; i < n; i++) aliases.set(readString(c), readString(c));
  }
  if (c.remaining !== 0) throw new Error(`model.bin has ${c.remaining} unexpected trailing bytes (a bad join of split parts?)`);
  return { binaryVersion, specName, specRevision, variables, aliases };
}

/** Looks a variable up, following aliases the way model.cc registers them. */
export function findVariable(index: Ct2Index, name: string): Ct2Variable | undefined {
  return index.variables.get(name) ?? index.variables.get(index.aliases.get(name) ?? '');
}

export function requireVariable(index: Ct2Index, name: string): Ct2Variable {
  const v = findVariable(index, name);
  if (!v) throw new Error(`CTranslate2 model has no variable ${name}`);
  return v;
}

/** Reads a rank-0 integer/flag such as encoder/num_heads (stored as int16). */
export function readScalar(src: ByteSource, index: Ct2Index, name: string): number | undefined {
  const v = findVariable(index, name);
  if (!v) return undefined;
  const b = src.read(v.offset, v.byteLength);
  switch (v.dtype) {
    case 'int8':
      return b.readInt8(0);
    case 'int16':
      return b.readInt16LE(0);
    case 'int32':
      return b.readInt32LE(0);
    case 'float32':
      return b.readFloatLE(0);
    default:
      throw new Error(`scalar ${name} has unexpected dtype ${v.dtype}`);
  }
}
