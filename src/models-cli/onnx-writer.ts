/**
 * Just enough of the ONNX protobuf (onnx.proto3, IR version 8) to write a
 * graph of float32/int64 initializers and nodes with int, ints, float and
 * string attributes. Field numbers follow onnx.proto; only the fields written
 * here are known to this file.
 */

export type OnnxAttr = number | number[] | string | { float: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, OnnxAttr>;
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

/** A dimension is a fixed size or a symbolic name (batch, time). */
export interface OnnxValue {
  name: string;
  dims: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  opset: number;
  producer: string;
  /** metadata_props: key/value strings a loader can read back (source, version). */
  metadata?: Record<string, string>;
}

const FLOAT = 1;
const INT64 = 7;

class Writer {
  private parts: Buffer[] = [];
  private varint(v: bigint): void {
    // int64 fields are varints of their two's complement (10 bytes when negative).
    let x = BigInt.asUintN(64, v);
    const bytes: number[] = [];
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x) b |= 0x80;
      bytes.push(b);
    } while (x);
    this.parts.push(Buffer.from(bytes));
  }
  private key(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }
  int(field: number, v: number | bigint): this {
    this.key(field, 0);
    this.varint(BigInt(v));
    return this;
  }
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.parts.push(b);
    return this;
  }
  bytes(field: number, v: Buffer | string): this {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    this.key(field, 2);
    this.varint(BigInt(b.length));
    this.parts.push(b);
    return this;
  }
  msg(field: number, w: Writer): this {
    return this.bytes(field, w.done());
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function attribute(name: string, v: OnnxAttr): Writer {
  const w = new Writer().bytes(1, name);
  // AttributeProto: f=2, i=3, s=4, ints=8, type=20 (FLOAT=1, INT=2, STRING=3, INTS=7)
  if (typeof v === 'string') return w.bytes(4, v).int(20, 3);
  if (Array.isArray(v)) {
    for (const x of v) w.int(8, x);
    return w.int(20, 7);
  }
  if (typeof v === 'object') return w.float(2, v.float).int(20, 1);
  return w.int(3, v).int(20, 2);
}

function tensor(t: OnnxInitializer): Writer {
  // TensorProto: dims=1, data_type=2, name=8, raw_data=9 (little-endian)
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.data instanceof Float32Array ? FLOAT : INT64);
  w.bytes(8, t.name);
  return w.bytes(9, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function valueInfo(v: OnnxValue): Writer {
  // ValueInfoProto{name=1, type=2} / TypeProto{tensor_type=1} / Tensor{elem_type=1, shape=2} / Dimension{dim_value=1, dim_param=2}
  const shape = new Writer();
  for (const d of v.dims) shape.msg(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().bytes(2, d));
  const tensorType = new Writer().int(1, FLOAT).msg(2, shape);
  return new Writer().bytes(1, v.name).msg(2, new Writer().msg(1, tensorType));
}

export function encodeOnnx(g: OnnxGraph): Buffer {
  const graph = new Writer();
  g.nodes.forEach((n, i) => {
    // NodeProto: input=1, output=2, name=3, op_type=4, attribute=5
    const w = new Writer();
    for (const x of n.inputs) w.bytes(1, x);
    for (const x of n.outputs) w.bytes(2, x);
    w.bytes(3, `${n.op.toLowerCase()}_${i}`).bytes(4, n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) w.msg(5, attribute(k, v));
    graph.msg(1, w);
  });
  graph.bytes(2, g.name);
  for (const t of g.initializers) graph.msg(5, tensor(t));
  for (const v of g.inputs) graph.msg(11, valueInfo(v));
  for (const v of g.outputs) graph.msg(12, valueInfo(v));
  // ModelProto: ir_version=1, producer_name=2, graph=7, opset_import=8 {domain=1, version=2}, metadata_props=14
  const model = new Writer().int(1, 8).bytes(2, g.producer).msg(7, graph).msg(8, new Writer().bytes(1, '').int(2, g.opset));
  for (const [k, v] of Object.entries(g.metadata ?? {})) model.msg(14, new Writer().bytes(1, k).bytes(2, v));
  return model.done();
}
