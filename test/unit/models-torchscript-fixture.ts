/**
 * Builds small TorchScript archives the way torch.jit.save lays them out: a
 * zip with <root>/data.pkl (pickle protocol 2: module objects rebuilt with
 * NEWOBJ + BUILD, tensors with torch._utils._rebuild_tensor_v2 over a
 * persistent-id storage) and <root>/data/<key> raw little-endian storages.
 */
import { zipFile } from './models-ct2-fixture.js';

/** Emits pickle opcodes; each helper pushes exactly one value. */
export class PickleBuilder {
  private parts: Buffer[] = [Buffer.from([0x80, 2])];
  private memo = 0;

  op(...bytes: number[]): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  put(): number {
    this.op(0x71, this.memo);
    return this.memo++;
  }
  get(i: number): this {
    return this.op(0x68, i);
  }
  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    return this.op(0x58).raw(len).raw(b);
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    if (n >= 0 && n < 65536) return this.op(0x4d, n & 0xff, n >> 8);
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return this.op(0x4a).raw(b);
  }
  global(module: string, name: string): this {
    return this.raw(Buffer.from(`c${module}\n${name}\n`, 'utf8'));
  }
  mark(): this {
    return this.op(0x28);
  }
  tuple(): this {
    return this.op(0x74);
  }
  ints(values: number[]): this {
    this.mark();
    for (const v of values) this.int(v);
    return this.tuple();
  }
  build(): Buffer {
    return Buffer.concat([...this.parts, Buffer.from([0x2e])]);
  }
}

export interface FixtureTensor {
  /** Dotted attribute path, e.g. `_model.encoder.0.reparam_conv.weight`. */
  name: string;
  shape: number[];
  values: Float32Array;
  /** Override the row-major stride (to build a non-contiguous tensor). */
  stride?: number[];
}

type Tree = Map<string, Tree | FixtureTensor>;

function treeOf(tensors: FixtureTensor[]): Tree {
  const root: Tree = new Map();
  for (const t of tensors) {
    const path = t.name.split('.');
    let node = root;
    for (const part of path.slice(0, -1)) {
      if (!node.has(part)) node.set(part, new Map());
      node = node.get(part) as Tree;
    }
    node.set(path[path.length - 1], t);
  }
  return root;
}

const rowMajor = (shape: number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

/** Returns the archive's bytes; every tensor gets its own storage, keyed 0, 1, 2, ... */
export function torchScriptArchive(tensors: FixtureTensor[], opts: { root?: string; omitStorage?: string } = {}): Buffer {
  const root = opts.root ?? 'model';
  const p = new PickleBuilder();
  const storages: Buffer[] = [];
  const rebuild = p.global('torch._utils', '_rebuild_tensor_v2').put();
  const floatStorage = p.global('torch', 'FloatStorage').put();
  const ordered = p.global('collections', 'OrderedDict').put();
  // Memoised globals are popped off again with POP (0x30) so the stack stays clean.
  p.op(0x30, 0x30, 0x30);

  const emitTensor = (t: FixtureTensor) => {
    const key = String(storages.length);
    const bytes = Buffer.alloc(4 * t.values.length);
    t.values.forEach((v, i) => bytes.writeFloatLE(v, 4 * i));
    storages.push(bytes);
    p.get(rebuild).mark();
    p.mark().str('storage').get(floatStorage).str(key).str('cpu').int(t.values.length).tuple().op(0x51); // BINPERSID
    p.int(0).ints(t.shape).ints(t.stride ?? rowMajor(t.shape)).op(0x89).get(ordered).op(0x29, 0x52); // requires_grad False, hooks OrderedDict()
    p.tuple().op(0x52); // REDUCE
  };
  const emitModule = (node: Tree, cls: string) => {
    p.global('__torch__.fixture', cls).op(0x29, 0x81); // EMPTY_TUPLE NEWOBJ
    p.op(0x7d).mark(); // EMPTY_DICT MARK
    p.str('training').op(0x89);
    for (const [k, v] of node) {
      p.str(k);
      if (v instanceof Map) emitModule(v, `M_${k}`);
      else emitTensor(v);
    }
    p.op(0x75, 0x62); // SETITEMS BUILD
  };
  emitModule(treeOf(tensors), 'Root');

  return zipFile([
    { name: `${root}/data.pkl`, data: p.build() },
    { name: `${root}/byteorder`, data: Buffer.from('little') },
    ...storages.map((data, i) => ({ name: `${root}/data/${i}`, data })).filter((e) => e.name !== `${root}/data/${opts.omitStorage}`),
    { name: `${root}/version`, data: Buffer.from('3\n') },
  ]);
}
