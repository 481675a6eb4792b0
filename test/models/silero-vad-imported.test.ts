import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileSource } from '../../src/models-cli/byte-source.js';
import { findModel, loadCatalog } from '../../src/models-cli/catalog.js';
import { hashFile } from '../../src/models-cli/checksum.js';
import { GgmlType, tensorByteLength } from '../../src/models-cli/ggml-format.js';
import { inspectGgml } from '../../src/models-cli/inspect.js';
import { readSileroGgml } from '../../src/models-cli/silero-convert.js';

/**
 * Checks the VAD model `npm run models -- fetch-test` converts from the
 * silero-vad wheel on PyPI. It must exist: a missing file fails, never skips.
 */
const dir = process.env.MODELS_DIR ? resolve(process.env.MODELS_DIR) : fileURLToPath(new URL('../../models', import.meta.url));
const entry = findModel(loadCatalog(), 'silero-v6.2.0');
const path = join(dir, entry.file);

/**
 * What whisper_vad_init_with_params() in whisper.cpp v1.9.1 (src/whisper.cpp,
 * names from src/whisper-arch.h VAD_TENSOR_NAMES) creates, written out here
 * by hand from that source rather than derived from the importer's plan:
 * ne innermost first, and the type each ggml_new_tensor_* call uses.
 */
const LOADER: [string, number[], GgmlType][] = [
  ['_model.stft.forward_basis_buffer', [256, 1, 258], GgmlType.F16],
  ['_model.encoder.0.reparam_conv.weight', [3, 129, 128], GgmlType.F16],
  ['_model.encoder.0.reparam_conv.bias', [128], GgmlType.F32],
  ['_model.encoder.1.reparam_conv.weight', [3, 128, 64], GgmlType.F16],
  ['_model.encoder.1.reparam_conv.bias', [64], GgmlType.F32],
  ['_model.encoder.2.reparam_conv.weight', [3, 64, 64], GgmlType.F16],
  ['_model.encoder.2.reparam_conv.bias', [64], GgmlType.F32],
  ['_model.encoder.3.reparam_conv.weight', [3, 64, 128], GgmlType.F16],
  ['_model.encoder.3.reparam_conv.bias', [128], GgmlType.F32],
  ['_model.decoder.rnn.weight_ih', [128, 512], GgmlType.F32],
  ['_model.decoder.rnn.bias_ih', [512], GgmlType.F32],
  ['_model.decoder.rnn.weight_hh', [128, 512], GgmlType.F32],
  ['_model.decoder.rnn.bias_hh', [512], GgmlType.F32],
  ['_model.decoder.decoder.2.weight', [128, 1], GgmlType.F16],
  ['_model.decoder.decoder.2.bias', [1], GgmlType.F32],
];

const pad4 = (ne: number[]) => [...ne, 1, 1, 1, 1].slice(0, 4);

describe('models/ggml-silero-v6.2.0.bin imported from PyPI', () => {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run models -- fetch-test\` first`);

  it('is byte-identical to the file whisper.cpp publishes (ggml-org/whisper-vad)', async () => {
    expect((await hashFile(path)).sha256).toBe(entry.sha256);
  });

  it('passes every check whisper_vad_init_with_params makes, for every tensor', () => {
    const src = fileSource(path);
    try {
      const f = readSileroGgml(src);
      expect(src.size).toBe(entry.size);
      expect(f.header).toEqual({
        modelType: 'silero-16k',
        version: [6, 2, 0],
        windowSamples: 512,
        contextSamples: 64,
        encoder: [
          { in: 129, out: 128, kernel: 3 },
          { in: 128, out: 64, kernel: 3 },
          { in: 64, out: 64, kernel: 3 },
          { in: 64, out: 128, kernel: 3 },
        ],
        lstmInput: 128,
        lstmHidden: 128,
        finalConvIn: 128,
        finalConvOut: 1,
      });
      // n_tensors = n_encoder_layers * 2 + 4 + 2 + 1, each loaded exactly once, none unknown.
      expect(f.tensors.map((t) => t.name).sort()).toEqual(LOADER.map(([n]) => n).sort());
      for (const [name, ne, type] of LOADER) {
        const t = f.tensors.find((x) => x.name === name)!;
        const elements = ne.reduce((a, b) => a * b, 1);
        // The loader's checks: element count, ne[0..2] (missing dims read as 1), then bytes.
        expect([name, t.ne.reduce((a, b) => a * b, 1)]).toEqual([name, elements]);
        expect([name, pad4(t.ne).slice(0, 3)]).toEqual([name, pad4(ne).slice(0, 3)]);
        expect([name, t.type]).toEqual([name, type]);
        expect([name, t.byteLength]).toEqual([name, tensorByteLength(type, elements)]);
      }
      const last = f.tensors[f.tensors.length - 1];
      expect(last.offset + last.byteLength).toBe(src.size);
    } finally {
      src.close();
    }
  });

  it('is recognised by `models inspect` as a VAD file', () => {
    const lines = inspectGgml(path);
    expect(lines).toContain('model type    = silero-16k');
    expect(lines).toContain('tensors       = 15');
    expect(lines.some((l) => /_model\.decoder\.decoder\.2\.bias - \[\], type =  f32/.test(l))).toBe(true);
  });
});
