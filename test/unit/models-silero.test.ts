import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource, fileSource } from '../../src/models-cli/byte-source.js';
import { GGML_MAGIC, GgmlType } from '../../src/models-cli/ggml-format.js';
import { floatToHalf } from '../../src/models-cli/half.js';
import { SILERO_JIT_ENTRY, importSilero } from '../../src/models-cli/import-silero.js';
import { type TensorSource, convertSileroToGgml, readSileroGgml } from '../../src/models-cli/silero-convert.js';
import { silero16kHeader, sileroTensorPlan } from '../../src/models-cli/silero-format.js';
import { PyGlobal, PyObject, unpickle } from '../../src/models-cli/torch-pickle.js';
import { openTorchScript } from '../../src/models-cli/torchscript.js';
import { zipFile } from './models-ct2-fixture.js';
import { type FixtureTensor, PickleBuilder, torchScriptArchive } from './models-torchscript-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'models-silero-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic values with awkward f16 cases: ties, subnormals, values past f16's range. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = ((x / 2147483648) * 2 - 1) * (i % 7 === 0 ? 1e-6 : i % 11 === 0 ? 7e4 : 3);
  }
  if (n > 2) out[1] = 1 + 2 ** -11; // exactly halfway between two f16 values: rounds to even (1.0)
  return out;
}

/** The Silero 16 kHz tensors, in PyTorch shapes, plus the 8 kHz branch and state the converter drops. */
function sileroTensors(): FixtureTensor[] {
  const plan = sileroTensorPlan(silero16kHeader([6, 2, 0]));
  const real = plan.map((p, i) => ({ name: p.name, shape: p.sourceShape, values: values(p.sourceShape.reduce((a, b) => a * b, 1), i + 1) }));
  return [
    ...real,
    { name: '_model_8k.decoder.rnn.bias_ih', shape: [512], values: values(512, 99) },
    { name: '_state', shape: [2, 1, 128], values: new Float32Array(256) },
  ];
}

const tensorSource = (ts: FixtureTensor[]): TensorSource => ({
  shapeOf: (name) => ts.find((t) => t.name === name)?.shape,
  floats: async (name) => ts.find((t) => t.name === name)!.values,
});

describe('torch pickle (data only)', () => {
  it('rebuilds tuples, dicts, memo references, ints of every width, floats and strings', () => {
    const p = new PickleBuilder();
    p.op(0x7d).put(); // {} memo 0
    p.mark().str('small').int(7).str('u16').int(40000).str('neg').int(-5);
    p.str('big').op(0x8a, 5, 0x00, 0x00, 0x00, 0x00, 0x01); // LONG1 2**32
    p.str('minus').op(0x8a, 1, 0xff); // LONG1 -1
    p.str('f').op(0x47).raw(Buffer.from([0x3f, 0xf8, 0, 0, 0, 0, 0, 0])); // 1.5 big-endian
    p.str('t').op(0x4b, 1, 0x4b, 2, 0x86); // TUPLE2
    p.str('list').op(0x5d).mark().op(0x88, 0x4e).op(0x65); // [True, None]
    p.op(0x75);
    const d = unpickle(p.build(), () => null) as Map<string, unknown>;
    expect(Object.fromEntries(d)).toEqual({ small: 7, u16: 40000, neg: -5, big: 2 ** 32, minus: -1, f: 1.5, t: [1, 2], list: [true, null] });
  });

  it('never runs anything: an unknown callable becomes an inert record', () => {
    const p = new PickleBuilder();
    p.global('os', 'system').str('rm -rf /').op(0x85, 0x52); // os.system(('rm -rf /',))
    const v = unpickle(p.build(), () => null);
    expect(v).toBeInstanceOf(PyObject);
    expect((v as PyObject).cls).toEqual(new PyGlobal('os', 'system'));
    expect((v as PyObject).args).toEqual(['rm -rf /']);
  });

  it('rejects unknown opcodes, truncation, bad memo references and underflow with a position', () => {
    expect(() => unpickle(Buffer.from([0x80, 2, 0x49]), () => null)).toThrow(/unsupported pickle opcode 0x49 at byte 2/);
    expect(() => unpickle(Buffer.from([0x80, 2, 0x58, 9, 0, 0, 0, 0x41]), () => null)).toThrow(/truncated/);
    expect(() => unpickle(Buffer.from([0x80, 2, 0x68, 3, 0x2e]), () => null)).toThrow(/unknown memo 3/);
    expect(() => unpickle(Buffer.from([0x80, 2, 0x2e]), () => null)).toThrow(/underflow/);
    expect(() => unpickle(Buffer.from([0x80, 2, 0x4b]), () => null)).toThrow(/truncated/);
  });
});

describe('TorchScript archive reader', () => {
  it('names tensors by attribute path (state_dict keys) and reads their values', async () => {
    const ts: FixtureTensor[] = [
      { name: 'a.weight', shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: 'a.b.0.bias', shape: [1], values: Float32Array.from([-0.5]) },
      { name: 'top', shape: [], values: Float32Array.from([42]) },
    ];
    const path = join(dir, 'small.jit');
    writeFileSync(path, torchScriptArchive(ts, { root: 'some_model_v1' }));
    const a = await openTorchScript(path);
    expect([...a.tensors.keys()].sort()).toEqual(['a.b.0.bias', 'a.weight', 'top']);
    expect(a.tensors.get('a.weight')!.shape).toEqual([2, 3]);
    expect([...(await a.floats(a.tensors.get('a.weight')!))]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...(await a.floats(a.tensors.get('a.b.0.bias')!))]).toEqual([-0.5]);
    expect([...(await a.floats(a.tensors.get('top')!))]).toEqual([42]);
  });

  it('refuses non-contiguous tensors, missing storages and non-archives', async () => {
    const strided = join(dir, 'strided.jit');
    writeFileSync(strided, torchScriptArchive([{ name: 'w', shape: [2, 2], values: new Float32Array(4), stride: [1, 2] }]));
    await expect(openTorchScript(strided)).rejects.toThrow(/w is not contiguous/);
    const missing = join(dir, 'missing.jit');
    writeFileSync(missing, torchScriptArchive([{ name: 'w', shape: [2], values: new Float32Array(2) }], { omitStorage: '0' }));
    const a = await openTorchScript(missing);
    await expect(a.floats(a.tensors.get('w')!)).rejects.toThrow(/storage 0 of w is missing/);
    const notJit = join(dir, 'plain.zip');
    writeFileSync(notJit, zipFile([{ name: 'x.txt', data: Buffer.from('x') }]));
    await expect(openTorchScript(notJit)).rejects.toThrow(/not a TorchScript archive/);
  });
});

describe('Silero -> ggml VAD writer', () => {
  it('writes the header, then the 15 tensors in the converter order, shapes reversed, f16 conv kernels', async () => {
    const ts = sileroTensors();
    const out = join(dir, 'vad.bin');
    const r = await convertSileroToGgml(tensorSource(ts), out, [6, 2, 0]);
    const buf = readFileSync(out);
    expect(r.bytes).toBe(buf.length);

    // The header, field by field, as whisper_vad_init_with_params reads it.
    const ints = (at: number, n: number) => Array.from({ length: n }, (_, i) => buf.readInt32LE(at + 4 * i));
    expect(buf.readUInt32LE(0)).toBe(GGML_MAGIC);
    expect(buf.readInt32LE(4)).toBe(10);
    expect(buf.toString('utf8', 8, 18)).toBe('silero-16k');
    expect(ints(18, 3 + 2 + 1 + 12 + 4)).toEqual([6, 2, 0, 512, 64, 4, 129, 128, 3, 128, 64, 3, 64, 64, 3, 64, 128, 3, 128, 128, 128, 1]);

    const f = readSileroGgml(bufferSource(buf));
    expect(f.header).toEqual(silero16kHeader([6, 2, 0]));
    const table = f.tensors.map((t) => [t.name, t.ne, t.type]);
    expect(table).toEqual([
      ['_model.encoder.0.reparam_conv.weight', [3, 129, 128], GgmlType.F16],
      ['_model.encoder.0.reparam_conv.bias', [128], GgmlType.F32],
      ['_model.encoder.1.reparam_conv.weight', [3, 128, 64], GgmlType.F16],
      ['_model.encoder.1.reparam_conv.bias', [64], GgmlType.F32],
      ['_model.encoder.2.reparam_conv.weight', [3, 64, 64], GgmlType.F16],
      ['_model.encoder.2.reparam_conv.bias', [64], GgmlType.F32],
      ['_model.encoder.3.reparam_conv.weight', [3, 64, 128], GgmlType.F16],
      ['_model.encoder.3.reparam_conv.bias', [128], GgmlType.F32],
      ['_model.decoder.rnn.weight_ih', [128, 512], GgmlType.F32],
      ['_model.decoder.rnn.weight_hh', [128, 512], GgmlType.F32],
      ['_model.decoder.rnn.bias_ih', [512], GgmlType.F32],
      ['_model.decoder.rnn.bias_hh', [512], GgmlType.F32],
      ['_model.decoder.decoder.2.weight', [128], GgmlType.F16], // [1,128,1] squeezed
      ['_model.decoder.decoder.2.bias', [], GgmlType.F32], // [1] squeezed to a scalar: n_dims 0
      ['_model.stft.forward_basis_buffer', [256, 1, 258], GgmlType.F16], // kept 3-D
    ]);

    // Data: f32 copied bit for bit, f16 rounded to nearest even, nothing transposed.
    for (const t of f.tensors) {
      const src = ts.find((s) => s.name === t.name)!.values;
      const got = buf.subarray(t.offset, t.offset + t.byteLength);
      if (t.type === GgmlType.F32) expect(Buffer.from(src.buffer).equals(got)).toBe(true);
      else for (let i = 0; i < src.length; i += 97) expect(got.readUInt16LE(2 * i)).toBe(floatToHalf(src[i]));
    }
    const enc0 = f.tensors[0];
    expect(buf.readUInt16LE(enc0.offset + 2)).toBe(0x3c00); // 1 + 2^-11 ties to 1.0
  });

  it('refuses a model of another shape before writing anything', async () => {
    const ts = sileroTensors().filter((t) => t.name !== '_model.decoder.rnn.bias_hh');
    ts[0] = { ...ts[0], shape: [128, 129, 5] };
    const out = join(dir, 'never.bin');
    await expect(convertSileroToGgml(tensorSource(ts), out, [6, 2, 0])).rejects.toThrow(
      /_model\.encoder\.0\.reparam_conv\.weight is \[128,129,5\], expected \[128,129,3\]; missing _model\.decoder\.rnn\.bias_hh/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('imports from a wheel holding silero_vad.jit, atomically, to ggml-silero-v<version>.bin', async () => {
    const jit = torchScriptArchive(sileroTensors(), { root: 'VADr_fixture' });
    const wheel = join(dir, 'silero_vad-0.0.1-py3-none-any.whl');
    writeFileSync(wheel, zipFile([{ name: 'silero_vad/__init__.py', data: Buffer.from('') }, { name: SILERO_JIT_ENTRY, data: jit, deflate: true }]));
    const models = join(dir, 'models');
    const r = await importSilero({ input: wheel, dir: models });
    expect(r.out).toBe(join(models, 'ggml-silero-v6.2.0.bin'));
    expect(readdirSync(models)).toEqual(['ggml-silero-v6.2.0.bin']);
    // The same bytes as converting the tensors directly.
    const direct = join(dir, 'direct.bin');
    await convertSileroToGgml(tensorSource(sileroTensors()), direct, [6, 2, 0]);
    expect(readFileSync(r.out).equals(readFileSync(direct))).toBe(true);

    const src = fileSource(r.out);
    try {
      expect(readSileroGgml(src).tensors).toHaveLength(15);
    } finally {
      src.close();
    }
    const noJit = join(dir, 'other-1.0-py3-none-any.whl');
    writeFileSync(noJit, zipFile([{ name: 'other/__init__.py', data: Buffer.from('') }]));
    await expect(importSilero({ input: noJit, dir: models, out: join(models, 'x.bin') })).rejects.toThrow(/no silero_vad\/data\/silero_vad\.jit/);
    expect(readdirSync(models)).toEqual(['ggml-silero-v6.2.0.bin']);
  });
});
