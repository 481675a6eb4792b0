import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hashFile } from './checksum.js';
import { type PinnedWheel, ensureWheel } from './pip-download.js';
import { type SileroConvertResult, type TensorSource, convertSileroToGgml } from './silero-convert.js';
import { tempPathFor } from './temp-path.js';
import { openTorchScript } from './torchscript.js';
import { extractEntry, listZip } from './zip-reader.js';

/**
 * The pinned source: silero-vad on PyPI (MIT). Its silero_vad.jit is the model
 * whisper.cpp's convert-silero-vad-to-ggml.py reads (through
 * load_silero_vad()), and it is byte-identical in 6.2.0 and 6.2.3 (sha256
 * e1122837…3720). whisper.cpp published that model as ggml-silero-v6.2.0.bin,
 * so the header carries 6.2.0 and the output matches that file byte for byte.
 *
 * Not silero_vad_16k.safetensors: new in 6.2.3 for the tinygrad port, it holds
 * different weights (same architecture, correlation 0.90–0.99 per tensor), so
 * it is not the model whisper.cpp converts.
 */
export const SILERO_WHEEL: PinnedWheel = { name: 'silero-vad', version: '6.2.3', sha256: '7b7f5436cfcb02fae583a05b512ea96467fd449fe54cb49a5e4f06c51a1e43b8' };
export const SILERO_MODEL_VERSION: [number, number, number] = [6, 2, 0];
export const SILERO_JIT_ENTRY = 'silero_vad/data/silero_vad.jit';

export interface SileroImportOptions {
  /** A silero-vad wheel or a silero_vad.jit; default: the pinned wheel from PyPI (cached). */
  input?: string;
  /** Models directory: the default output and the wheel cache (cache/pypi) live here. */
  dir: string;
  out?: string;
  version?: [number, number, number];
  log?: (line: string) => void;
}

export interface SileroImportResult extends SileroConvertResult {
  out: string;
  sha256: string;
  source: string;
  seconds: number;
}

export function sileroOutput(dir: string, version: readonly number[] = SILERO_MODEL_VERSION): string {
  return join(dir, `ggml-silero-v${version.join('.')}.bin`);
}

/** A wheel is a zip holding the .jit (itself a zip): pull the .jit out to a temporary directory. */
async function jitFrom(input: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  if (!/\.(whl|zip)$/i.test(input)) return { path: input, cleanup: async () => {} };
  const entry = listZip(input).find((e) => e.name === SILERO_JIT_ENTRY);
  if (!entry) throw new Error(`${input} has no ${SILERO_JIT_ENTRY}: not a silero-vad wheel`);
  const dir = await mkdtemp(join(tmpdir(), 'silero-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await extractEntry(input, entry, join(dir, 'silero_vad.jit'));
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { path: join(dir, 'silero_vad.jit'), cleanup };
}

/** Writes under a temporary name and renames, so a crash never leaves a half file where it would be loaded. */
export async function importSilero(opts: SileroImportOptions): Promise<SileroImportResult> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const version = opts.version ?? SILERO_MODEL_VERSION;
  const input = opts.input ?? (await ensureWheel(join(opts.dir, 'cache', 'pypi'), SILERO_WHEEL, log)).path;
  const out = opts.out ?? sileroOutput(opts.dir, version);
  const jit = await jitFrom(input);
  try {
    log(`  using ${input}${jit.path === input ? '' : `!/${SILERO_JIT_ENTRY}`}`);
    const archive = await openTorchScript(jit.path);
    const src: TensorSource = {
      shapeOf: (name) => archive.tensors.get(name)?.shape,
      floats: (name) => archive.floats(archive.tensors.get(name)!),
    };
    mkdirSync(dirname(out), { recursive: true });
    const tmp = tempPathFor(out);
    let result: SileroConvertResult;
    try {
      result = await convertSileroToGgml(src, tmp, version);
      renameSync(tmp, out);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    const { sha256 } = await hashFile(out);
    return { ...result, out, sha256, source: input, seconds: (Date.now() - started) / 1000 };
  } finally {
    await jit.cleanup();
  }
}
