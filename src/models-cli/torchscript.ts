import { PyGlobal, PyObject, type TensorRef, isTensorRef, unpickle } from './torch-pickle.js';
import { type ZipEntry, listZip, readEntry } from './zip-reader.js';

/**
 * Reads the tensors of a TorchScript archive (torch.jit.save): a zip with
 * <root>/data.pkl describing the module tree and <root>/data/<key> holding
 * each storage's raw bytes. Tensors are named by their attribute path, which
 * for parameters and buffers is the key model.state_dict() gives them.
 */

const STORAGE_BYTES: Record<string, number> = { FloatStorage: 4, HalfStorage: 2, DoubleStorage: 8 };

interface StorageRef {
  key: string;
  type: string;
}

export interface TorchTensor {
  name: string;
  /** PyTorch order, outermost first. */
  shape: number[];
  storage: StorageRef;
  /** In elements. */
  offset: number;
}

export interface TorchScriptArchive {
  tensors: Map<string, TorchTensor>;
  /** The tensor's values as f32 (contiguous tensors only; these archives hold nothing else). */
  floats(t: TorchTensor): Promise<Float32Array>;
}

function storageRef(pid: unknown): StorageRef {
  // ('storage', <torch XStorage>, key, location, numel)
  const [tag, cls, key] = Array.isArray(pid) ? pid : [];
  if (tag !== 'storage' || !(cls instanceof PyGlobal) || typeof key !== 'string') throw new Error('data.pkl has an unexpected persistent id');
  return { key, type: cls.name };
}

/** Depth-first over module objects: their BUILD state is a dict of attributes. */
function collect(obj: unknown, prefix: string, out: Map<string, TorchTensor>, seen: Set<unknown>): void {
  if (!(obj instanceof PyObject) || !(obj.state instanceof Map) || seen.has(obj)) return;
  seen.add(obj);
  for (const [k, v] of obj.state) {
    if (typeof k !== 'string') continue;
    const name = prefix ? `${prefix}.${k}` : k;
    if (isTensorRef(v)) out.set(name, toTensor(name, v));
    else collect(v, name, out, seen);
  }
}

function toTensor(name: string, t: TensorRef): TorchTensor {
  let expected = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    // Size-1 dims may carry any stride; every other dim must be row-major.
    if (t.shape[i] !== 1 && t.stride[i] !== expected) throw new Error(`tensor ${name} is not contiguous (shape [${t.shape}], stride [${t.stride}])`);
    expected *= t.shape[i];
  }
  return { name, shape: t.shape, storage: t.storage as StorageRef, offset: t.offset };
}

export async function openTorchScript(path: string): Promise<TorchScriptArchive> {
  const entries = listZip(path);
  const pkl = entries.find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (!pkl) throw new Error(`${path}: not a TorchScript archive (no <root>/data.pkl)`);
  const root = pkl.name.slice(0, -'data.pkl'.length);
  const byName = new Map<string, ZipEntry>(entries.map((e) => [e.name, e]));
  const order = byName.get(`${root}byteorder`);
  if (order && (await readEntry(path, order)).toString('ascii').trim() !== 'little') throw new Error(`${path}: big-endian archives are not supported`);

  const tree = unpickle(await readEntry(path, pkl), storageRef);
  const tensors = new Map<string, TorchTensor>();
  collect(tree, '', tensors, new Set());
  if (tensors.size === 0) throw new Error(`${path}: data.pkl holds no tensors`);

  const cache = new Map<string, Buffer>();
  return {
    tensors,
    async floats(t) {
      const bytesPer = STORAGE_BYTES[t.storage.type];
      if (bytesPer !== 4) throw new Error(`tensor ${t.name}: ${t.storage.type} is not supported (float32 only)`);
      let data = cache.get(t.storage.key);
      if (!data) {
        const e = byName.get(`${root}data/${t.storage.key}`);
        if (!e) throw new Error(`${path}: storage ${t.storage.key} of ${t.name} is missing`);
        data = await readEntry(path, e);
        cache.set(t.storage.key, data);
      }
      const n = t.shape.reduce((a, b) => a * b, 1);
      const start = t.offset * bytesPer;
      if (start + n * bytesPer > data.length) throw new Error(`tensor ${t.name} runs past the end of its storage`);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = data.readFloatLE(start + 4 * i);
      return out;
    },
  };
}
