import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG_PATH, findModel, loadCatalog, parseCatalog } from '../../src/models-cli/catalog.js';

const catalog = loadCatalog();

describe('models/catalog.json', () => {
  it('lists the standard models and the published quantised variants', () => {
    const names = catalog.map((m) => m.name);
    for (const n of ['tiny', 'tiny.en', 'base', 'base.en', 'small', 'small.en', 'medium', 'medium.en', 'large-v3', 'large-v3-turbo']) expect(names).toContain(n);
    for (const n of ['tiny.en-q8_0', 'base-q5_1', 'small-q8_0', 'medium-q5_0', 'large-v3-q5_0', 'large-v3-turbo-q8_0']) expect(names).toContain(n);
  });

  it('points every Whisper entry at its Hugging Face file, with a consistent name, language flag and quantisation', () => {
    for (const m of catalog.filter((e) => e.kind !== 'vad')) {
      expect(m.file).toBe(`ggml-${m.name}.bin`);
      expect(m.url).toBe(`https://huggingface.co/ggerganov/whisper.cpp/resolve/main/${m.file}`);
      expect(m.multilingual).toBe(!m.name.includes('.en'));
      expect(m.quantization).toBe(/-(q\d_\d)$/.exec(m.name)?.[1] ?? 'f16');
      expect(m.sha256 ?? m.sha1).toBeTruthy();
    }
  });

  it('carries the reference values from shared/models/SOURCES.md', () => {
    expect(findModel(catalog, 'tiny.en')).toMatchObject({ size: 77704715, sha256: '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f', sha1: 'c78c86eb1a8faa21b369bcd33207cc90d64ae9df' });
    expect(findModel(catalog, 'base')).toMatchObject({ size: 147951465, sha256: '60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe' });
    expect(findModel(catalog, 'ggml-tiny.en-q8_0.bin').size).toBe(43550795);
  });

  it('lists the Silero VAD model whisper.cpp publishes, pinned by size and sha256', () => {
    const vad = catalog.filter((m) => m.kind === 'vad');
    expect(vad.map((m) => m.name)).toEqual(['silero-v6.2.0']);
    expect(vad[0]).toMatchObject({
      file: 'ggml-silero-v6.2.0.bin',
      url: 'https://huggingface.co/ggml-org/whisper-vad/resolve/main/ggml-silero-v6.2.0.bin',
      size: 885098,
      sha256: '2aa269b785eeb53a82983a20501ddf7c1d9c48e33ab63a41391ac6c9f7fb6987',
    });
    expect(() => parseCatalog({ models: [{ ...vad[0], kind: 'diarizer' }] })).toThrow(/models\.0\.kind/);
  });

  it('rejects malformed catalogues', () => {
    const raw = JSON.parse(readFileSync(CATALOG_PATH, 'utf8'));
    expect(() => parseCatalog({ models: [raw.models[0], raw.models[0]] })).toThrow(/twice/);
    expect(() => parseCatalog({ models: [{ ...raw.models[0], sha256: 'XYZ' }] })).toThrow(/models\.0\.sha256/);
    expect(() => findModel(catalog, 'huge')).toThrow(/unknown model "huge"/);
  });
});
