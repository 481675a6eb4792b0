import { readFileSync } from 'node:fs';
import { PyGlobal, type TensorRef, isTensorRef, unpickleAt } from './torch-pickle.js';

/**
 * Reads torch's legacy serialization (torch.save before the zip format, or
 * with _use_new_zipfile_serialization=False): five things back to back in one
 * file — a magic-number pickle, a protocol-version pickle, a sys-info pickle,
 * the object pickle (storages appear as persistent ids), a pickle listing the
 * storage keys, then each storage as an int64 element count and its raw bytes
 * in that order. Data only: nothing is imported or called.
 */

const MAGIC = 0x1950a86a20f9469cfc6cn;
const STORAGE_BYTES: Record<string, number> = { FloatStorage: 4, DoubleStorage: 8, HalfStorage: 2, LongStorage: 8, IntStorage: 4 };

export interface LegacyTensor {
  shape: number[];
  storage: string;
  offset: number;
}

export interface LegacyCheckpoint {
  /** The unpickled object; tensors inside it are {kind:'tensor'} records. */
  root: unknown;
  /** A float32 tensor's values (contiguous tensors only). */
  floats(t: TensorRef): Float32Array;
}

interface Storage {
  key: string;
  type: string;
}

export function readTorchLegacy(path: string): LegacyCheckpoint {
  const data = readFileSync(path);
  const noPid = () => {
    throw new Error(`${path}: unexpected persistent id in a header pickle`);
  };
  const magic = unpickleAt(data, 0, noPid);
  // The magic number is a LONG1 that our unpickler turns into a (lossy) Number; compare its bytes.
  if (data[2] !== 0x8a || data.readBigUInt64LE(4) !== (MAGIC & 0xffffffffffffffffn)) throw new Error(`${path}: not a torch legacy file (no magic number)`);
  const proto = unpickleAt(data, magic.end, noPid);
  if (proto.value !== 1001) throw new Error(`${path}: torch legacy protocol ${String(proto.value)}, expected 1001`);
  const sys = unpickleAt(data, proto.end, noPid);
  const info = sys.value instanceof Map ? sys.value : new Map();
  if (info.get('little_endian') === false) throw new Error(`${path}: big-endian checkpoints are not supported`);

  const storages = new Map<string, Storage>();
  const main = unpickleAt(data, sys.end, (pid) => {
    // ('storage', torch.FloatStorage, key, location, numel, view_metadata)
    const [tag, cls, key] = Array.isArray(pid) ? pid : [];
    if (tag !== 'storage' || !(cls instanceof PyGlobal) || typeof key !== 'string') throw new Error(`${path}: unexpected persistent id`);
    const s = { key, type: cls.name };
    storages.set(key, s);
    return s;
  });
  const keys = unpickleAt(data, main.end, noPid);
  if (!Array.isArray(keys.value)) throw new Error(`${path}: no storage key list after the object pickle`);

  const raw = new Map<string, Buffer>();
  let p = keys.end;
  for (const key of keys.value as string[]) {
    const s = storages.get(key);
    if (!s) throw new Error(`${path}: storage ${key} is listed but never used`);
    const bytes = STORAGE_BYTES[s.type];
    if (!bytes) throw new Error(`${path}: storage type ${s.type} is not supported`);
    const n = Number(data.readBigInt64LE(p));
    p += 8;
    if (p + n * bytes > data.length) throw new Error(`${path}: storage ${key} runs past the end of the file`);
    raw.set(key, data.subarray(p, p + n * bytes));
    p += n * bytes;
  }

  return {
    root: main.value,
    floats(t) {
      const s = t.storage as Storage;
      if (s.type !== 'FloatStorage') throw new Error(`${s.type} tensors are not supported (float32 only)`);
      let expected = 1;
      for (let i = t.shape.length - 1; i >= 0; i--) {
        if (t.shape[i] !== 1 && t.stride[i] !== expected) throw new Error(`tensor is not contiguous (shape [${t.shape}], stride [${t.stride}])`);
        expected *= t.shape[i];
      }
      const buf = raw.get(s.key);
      if (!buf) throw new Error(`storage ${s.key} has no data`);
      const n = t.shape.reduce((a, b) => a * b, 1);
      if ((t.offset + n) * 4 > buf.length) throw new Error(`tensor runs past the end of storage ${s.key}`);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = buf.readFloatLE((t.offset + i) * 4);
      return out;
    },
  };
}

/** The tensors of a state dict (a Map of name → tensor) found at `key` in the checkpoint's top-level dict. */
export function stateDict(ckpt: LegacyCheckpoint, key: string): Map<string, TensorRef> {
  const sd = ckpt.root instanceof Map ? ckpt.root.get(key) : undefined;
  if (!(sd instanceof Map)) throw new Error(`the checkpoint has no ${key} dict`);
  const out = new Map<string, TensorRef>();
  for (const [k, v] of sd) if (typeof k === 'string' && isTensorRef(v)) out.set(k, v);
  return out;
}
