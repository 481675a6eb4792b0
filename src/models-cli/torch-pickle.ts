/**
 * A data-only unpickler for the data.pkl inside a TorchScript archive
 * (torch.jit.save, pickle protocol 2). Nothing is imported or called:
 * GLOBAL yields a name, REDUCE/NEWOBJ yield inert records, and only the few
 * callables torch uses to rebuild tensors and lists are understood. That is
 * all it takes to find every tensor's storage, offset, shape and stride.
 */

export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of a class we do not model (a module object): its class, args and BUILD state. */
export class PyObject {
  state: unknown = undefined;
  constructor(readonly cls: PyGlobal, readonly args: unknown[]) {}
}

export interface TensorRef {
  kind: 'tensor';
  /** Whatever persistentLoad returned for the storage. */
  storage: unknown;
  /** In elements. */
  offset: number;
  shape: number[];
  stride: number[];
}

export const isTensorRef = (v: unknown): v is TensorRef => typeof v === 'object' && v !== null && (v as TensorRef).kind === 'tensor';

const MARK = Symbol('mark');

export function unpickle(data: Buffer, persistentLoad: (pid: unknown) => unknown): unknown {
  return unpickleAt(data, 0, persistentLoad).value;
}

/**
 * Unpickles the stream that starts at byte `start` and says where it stopped:
 * torch's legacy (non-zip) files are several pickles and raw storages back to back.
 */
export function unpickleAt(data: Buffer, start: number, persistentLoad: (pid: unknown) => unknown): { value: unknown; end: number } {
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let p = start;
  const need = (n: number) => {
    if (p + n > data.length) throw new Error(`pickle truncated at byte ${p}`);
    const at = p;
    p += n;
    return at;
  };
  const line = () => {
    const end = data.indexOf(0x0a, p);
    if (end < 0) throw new Error(`pickle truncated at byte ${p}`);
    const s = data.toString('utf8', p, end);
    p = end + 1;
    return s;
  };
  const str = (n: number) => data.toString('utf8', need(n), p);
  const pop = () => {
    if (stack.length === 0) throw new Error(`pickle stack underflow at byte ${p}`);
    return stack.pop();
  };
  const popMark = () => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw new Error(`pickle has no MARK at byte ${p}`);
    return stack.splice(at).slice(1);
  };
  const top = () => stack[stack.length - 1];

  for (;;) {
    const op = data[need(1)];
    switch (op) {
      case 0x80: need(1); break; // PROTO
      case 0x95: need(8); break; // FRAME
      case 0x2e: return { value: pop(), end: p }; // STOP
      case 0x28: stack.push(MARK); break;
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x63: { const module = line(); stack.push(new PyGlobal(module, line())); break; } // GLOBAL
      case 0x71: memo.set(data[need(1)], top()); break; // BINPUT
      case 0x72: memo.set(data.readUInt32LE(need(4)), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const key = op === 0x68 ? data[need(1)] : data.readUInt32LE(need(4));
        if (!memo.has(key)) throw new Error(`pickle refers to unknown memo ${key}`);
        stack.push(memo.get(key));
        break;
      }
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push([pop(), b, c]); break; } // TUPLE3
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x61: { const v = pop(); (top() as unknown[]).push(v); break; } // APPEND
      case 0x65: { const vs = popMark(); (top() as unknown[]).push(...vs); break; } // APPENDS
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x73: { const v = pop(); const k = pop(); (top() as Map<unknown, unknown>).set(k, v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const kv = popMark();
        const d = top() as Map<unknown, unknown>;
        for (let i = 0; i + 1 < kv.length; i += 2) d.set(kv[i], kv[i + 1]);
        break;
      }
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(data.readInt32LE(need(4))); break; // BININT
      case 0x4b: stack.push(data[need(1)]); break; // BININT1
      case 0x4d: stack.push(data.readUInt16LE(need(2))); break; // BININT2
      case 0x8a: { // LONG1: little-endian two's complement
        const n = data[need(1)];
        const at = need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[at + i]);
        if (n > 0 && data[at + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(Number(v));
        break;
      }
      case 0x47: stack.push(data.readDoubleBE(need(8))); break; // BINFLOAT
      case 0x58: stack.push(str(data.readUInt32LE(need(4)))); break; // BINUNICODE
      case 0x8c: stack.push(str(data[need(1)])); break; // SHORT_BINUNICODE
      case 0x55: stack.push(str(data[need(1)])); break; // SHORT_BINSTRING
      case 0x51: stack.push(persistentLoad(pop())); break; // BINPERSID
      case 0x52: { const args = pop() as unknown[]; stack.push(reduce(pop(), args)); break; } // REDUCE
      case 0x81: { const args = pop() as unknown[]; stack.push(new PyObject(pop() as PyGlobal, args)); break; } // NEWOBJ
      case 0x62: { // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject) obj.state = state;
        break;
      }
      default:
        throw new Error(`unsupported pickle opcode 0x${op.toString(16)} at byte ${p - 1}`);
    }
  }
}

function reduce(fn: unknown, args: unknown[]): unknown {
  if (!(fn instanceof PyGlobal)) throw new Error('pickle REDUCE on something that is not a global');
  switch (fn.qualified) {
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset, shape, stride] = args as [unknown, number, number[], number[]];
      return { kind: 'tensor', storage, offset, shape: [...shape], stride: [...stride] } satisfies TensorRef;
    }
    case 'collections.OrderedDict':
      return new Map();
    case 'torch.jit._pickle.build_intlist':
    case 'torch.jit._pickle.build_doublelist':
    case 'torch.jit._pickle.build_boollist':
    case 'torch.jit._pickle.build_tensorlist':
      return args[0];
    default:
      return new PyObject(fn, args);
  }
}
