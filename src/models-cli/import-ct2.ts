import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hashFile } from './checksum.js';
import { type ConvertResult, convertCt2ToGgml } from './convert.js';
import { openCt2Whisper } from './ct2-whisper.js';
import { prepareCt2Source } from './model-source.js';
import { tempPathFor } from './temp-path.js';

export interface ImportOptions {
  inputs: string[];
  name: string;
  /** Models directory, used when `out` is not given. */
  dir: string;
  out?: string;
  q8_0?: boolean;
  log?: (line: string) => void;
}

export interface ImportResult extends ConvertResult {
  out: string;
  sha256: string;
  sources: string[];
  config: Record<string, unknown>;
  seconds: number;
}

export function defaultOutput(dir: string, name: string, q8_0 = false): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`invalid model name ${JSON.stringify(name)} (use letters, digits, ".", "_", "-")`);
  return join(dir, `ggml-${name}${q8_0 ? '-q8_0' : ''}.bin`);
}

/**
 * Converts a CTranslate2 (faster-whisper) model into a whisper.cpp ggml file.
 * The file is written under a temporary name and renamed into place, so a
 * crash never leaves a half-written model where the server would load it.
 */
export async function importCt2(opts: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const out = opts.out ?? defaultOutput(opts.dir, opts.name, opts.q8_0);
  const source = await prepareCt2Source(opts.inputs);
  try {
    for (const f of source.files) log(`  using ${f}`);
    const model = openCt2Whisper(source.dir);
    mkdirSync(dirname(out), { recursive: true });
    const tmp = tempPathFor(out);
    let result: ConvertResult;
    try {
      result = convertCt2ToGgml(model, tmp, opts.q8_0 ? 'q8_0' : 'f16');
      renameSync(tmp, out);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    } finally {
      model.src.close();
    }
    const { sha256 } = await hashFile(out);
    return { ...result, out, sha256, sources: source.files, config: model.config, seconds: (Date.now() - started) / 1000 };
  } finally {
    await source.cleanup();
  }
}
