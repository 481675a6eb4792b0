import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../src/models-cli/byte-source.js';
import { findVariable, readCt2Index, readScalar, requireVariable } from '../../src/models-cli/ct2-reader.js';
import { readRows, toFloats } from '../../src/models-cli/ct2-tensor.js';
import { type FixtureVar, ct2ModelBin, f16, f32, int16Scalar } from './models-ct2-fixture.js';

const vars: FixtureVar[] = [
  { name: 'decoder/embeddings/weight', shape: [3, 2], dtype: 'float16', data: f16([1, 2, 3, 4, 5, 6]) },
  { name: 'encoder/num_heads', shape: [], dtype: 'int16', data: int16Scalar(6) },
  { name: 'ffn/weight', shape: [2, 3], dtype: 'int8', data: Buffer.from(Int8Array.from([127, -127, 64, 10, 20, -30]).buffer) },
  { name: 'ffn/weight_scale', shape: [2], dtype: 'float32', data: f32([64, 10]) },
  { name: 'old/weight', shape: [2], dtype: 'int16', data: Buffer.from(Int16Array.from([1024, -512]).buffer) },
  { name: 'old/weight_scale', shape: [], dtype: 'float32', data: f32([1024]) },
];
const bin = ct2ModelBin(vars, [['decoder/projection/weight', 'decoder/embeddings/weight']]);

describe('CTranslate2 model.bin index', () => {
  const index = readCt2Index(bufferSource(bin));

  it('reads the header, every variable and the aliases', () => {
    expect(index.binaryVersion).toBe(6);
    expect(index.specName).toBe('WhisperSpec');
    expect(index.specRevision).toBe(3);
    expect([...index.variables.keys()]).toEqual(vars.map((v) => v.name));
    expect(requireVariable(index, 'decoder/embeddings/weight')).toMatchObject({ shape: [3, 2], dtype: 'float16', byteLength: 12 });
    expect(index.aliases.get('decoder/projection/weight')).toBe('decoder/embeddings/weight');
  });

  it('follows aliases (tied embedding/projection weights)', () => {
    expect(findVariable(index, 'decoder/projection/weight')?.name).toBe('decoder/embeddings/weight');
    expect(() => requireVariable(index, 'nope')).toThrow(/no variable nope/);
  });

  it('reads rank-0 scalars', () => {
    expect(readScalar(bufferSource(bin), index, 'encoder/num_heads')).toBe(6);
    expect(readScalar(bufferSource(bin), index, 'missing')).toBeUndefined();
  });

  it('slices rows of float16 tensors without converting them', () => {
    const rows = readRows(bufferSource(bin), index, requireVariable(index, 'decoder/embeddings/weight'), { start: 1, count: 2 });
    expect(rows.kind).toBe('f16');
    expect([...toFloats(rows)]).toEqual([3, 4, 5, 6]);
  });

  it('dequantises int8 with one scale per row and int16 with one per tensor', () => {
    const src = bufferSource(bin);
    expect([...toFloats(readRows(src, index, requireVariable(index, 'ffn/weight')))]).toEqual([127 / 64, -127 / 64, 1, 1, 2, -3]);
    expect([...toFloats(readRows(src, index, requireVariable(index, 'ffn/weight'), { start: 1, count: 1 }))]).toEqual([1, 2, -3]);
    expect([...toFloats(readRows(src, index, requireVariable(index, 'old/weight')))]).toEqual([1, -0.5]);
  });

  it('parses pre-v4 files, which store item sizes instead of dtype ids', () => {
    const name = Buffer.from('w\0');
    const v3 = Buffer.concat([
      Buffer.from([3, 0, 0, 0]),
      Buffer.from([5, 0]), Buffer.from('Spec\0'),
      Buffer.from([1, 0, 0, 0]), Buffer.from([1, 0, 0, 0]),
      Buffer.from([2, 0]), name, Buffer.from([1]), Buffer.from([2, 0, 0, 0]),
      Buffer.from([4]), Buffer.from([2, 0, 0, 0]), f32([1.5, -2]),
      Buffer.from([0, 0, 0, 0]),
    ]);
    const idx = readCt2Index(bufferSource(v3));
    expect(idx.binaryVersion).toBe(3);
    expect(requireVariable(idx, 'w')).toMatchObject({ dtype: 'float32', shape: [2], byteLength: 8 });
  });

  it('rejects files it cannot trust', () => {
    expect(() => readCt2Index(bufferSource(Buffer.from([99, 0, 0, 0])))).toThrow(/binary version 99/);
    expect(() => readCt2Index(bufferSource(bin.subarray(0, bin.length - 40)))).toThrow();
    expect(() => readCt2Index(bufferSource(Buffer.concat([bin, Buffer.alloc(3)])))).toThrow(/trailing bytes/);
    const noScale = ct2ModelBin([vars[2]]);
    const idx = readCt2Index(bufferSource(noScale));
    expect(() => readRows(bufferSource(noScale), idx, requireVariable(idx, 'ffn/weight'))).toThrow(/weight_scale is missing/);
  });
});
