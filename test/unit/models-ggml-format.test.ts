import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSource } from '../../src/models-cli/byte-source.js';
import { GgmlType, type WhisperHparams, tensorByteLength } from '../../src/models-cli/ggml-format.js';
import { readGgml } from '../../src/models-cli/ggml-reader.js';
import { GgmlWriter } from '../../src/models-cli/ggml-writer.js';
import { inspectGgml } from '../../src/models-cli/inspect.js';

const dir = mkdtempSync(join(tmpdir(), 'models-ggml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hparams: WhisperHparams = { nVocab: 51864, nAudioCtx: 1500, nAudioState: 384, nAudioHead: 6, nAudioLayer: 4, nTextCtx: 448, nTextState: 384, nTextHead: 6, nTextLayer: 4, nMels: 80, ftype: 1 };

function writeSample(path: string): void {
  const w = new GgmlWriter(path);
  w.header(hparams);
  w.melFilters(2, 3, Float32Array.from([0, 0.5, 1, 1.5, 2, 2.5]));
  w.vocabulary([Buffer.from('!'), Buffer.from(''), Buffer.from([0xe5, 0x9c])]);
  w.tensor('encoder.conv1.bias', [384, 1], GgmlType.F32, Buffer.alloc(384 * 4, 1));
  w.tensor('a.weight', [2, 32], GgmlType.F16, Buffer.alloc(2 * 32 * 2, 2));
  w.tensor('b.weight', [2, 64], GgmlType.Q8_0, Buffer.alloc(2 * 2 * 34, 3));
  w.close();
}

describe('ggml container', () => {
  const path = join(dir, 'sample.bin');
  writeSample(path);

  it('starts with the magic bytes and the 11 hparams in whisper.cpp order', () => {
    const b = readFileSync(path);
    expect([...b.subarray(0, 4)]).toEqual([0x6c, 0x6d, 0x67, 0x67]);
    expect(Array.from({ length: 11 }, (_, i) => b.readInt32LE(4 + 4 * i))).toEqual([51864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1]);
  });

  it('round-trips header, filters, tokens and tensor headers', () => {
    const src = fileSource(path);
    const f = readGgml(src);
    expect(f.hparams).toEqual(hparams);
    expect(f.mel.nMel).toBe(2);
    expect([...f.mel.filters]).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(f.tokens.map((t) => [...t])).toEqual([[0x21], [], [0xe5, 0x9c]]);
    expect(f.tensors.map((t) => [t.name, t.type, t.ne])).toEqual([
      ['encoder.conv1.bias', GgmlType.F32, [1, 384]], // dims reversed: innermost first
      ['a.weight', GgmlType.F16, [32, 2]],
      ['b.weight', GgmlType.Q8_0, [64, 2]],
    ]);
    expect(src.read(f.tensors[2].offset, 1)[0]).toBe(3);
    expect(f.tensors.at(-1)!.offset + f.tensors.at(-1)!.byteLength).toBe(src.size);
    src.close();
  });

  it('sizes tensor payloads per type and refuses mismatched data', () => {
    expect(tensorByteLength(GgmlType.F32, 10)).toBe(40);
    expect(tensorByteLength(GgmlType.Q8_0, 64)).toBe(68);
    expect(tensorByteLength(GgmlType.Q5_0, 32)).toBe(22);
    const w = new GgmlWriter(join(dir, 'bad.bin'));
    expect(() => w.tensor('x', [4], GgmlType.F32, Buffer.alloc(15))).toThrow(/15 bytes of data, expected 16/);
    w.abort();
  });

  it('inspect prints it the way whisper.cpp logs a load', () => {
    const lines = inspectGgml(path);
    expect(lines).toContain('n_vocab       = 51864');
    expect(lines).toContain('ftype         = 1');
    expect(lines.at(-1)).toMatch(/b\.weight - \[\s+64,\s+2\], type = q8_0/);
  });

  it('rejects files without the magic', () => {
    expect(() => readGgml(fileSource(join(dir, 'bad.bin')))).toThrow();
  });
});
