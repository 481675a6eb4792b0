/**
 * Runtime CPU dispatch: the install builds the addon for x86-64-v3 (every x86 server since ~2015)
 * and, beside it, an AVX-512 variant, an AVX-512 + BF16 one and an AVX-512 + BF16 + AMX one
 * (scripts/native/build-variants.sh).
 * This picks the best one the CPU can run. WHISPER_CPU_VARIANT=baseline|avx512|avx512bf16|avx512amx forces a
 * choice (auto by default).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type CpuVariant = 'baseline' | 'avx512' | 'avx512bf16' | 'avx512amx';
const VARIANTS: CpuVariant[] = ['baseline', 'avx512', 'avx512bf16', 'avx512amx'];

/** What the avx512 build is compiled with (GGML_AVX512, _VBMI, _VNNI): all must be present. */
const AVX512_FLAGS = ['avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512cd', 'avx512vbmi', 'avx512_vnni'];
/**
 * The avx512bf16 build adds GGML_AVX512_BF16 (Zen 4, Sapphire Rapids and newer): the encoder's
 * attention products run in bf16 with dpbf16ps (the patch; BENCHMARKS.md).
 */
const AVX512_BF16_FLAGS = [...AVX512_FLAGS, 'avx512_bf16'];
/**
 * The avx512amx build adds GGML_AMX_TILE/INT8/BF16 (Sapphire Rapids and newer Xeons): ggml multiplies
 * the q8_0 weight matrices (every build quantizes them as it reads the model) on the int8 tiles.
 */
const AVX512_AMX_FLAGS = [...AVX512_BF16_FLAGS, 'amx_tile', 'amx_int8', 'amx_bf16'];

export function cpuFlags(cpuinfo = readCpuinfo()): Set<string> {
  const line = cpuinfo.split('\n').find((l) => /^flags\s*:/.test(l));
  return new Set(line ? line.replace(/^flags\s*:\s*/, '').trim().split(/\s+/) : []);
}

function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return ''; // not Linux: the baseline build
  }
}

export function bestVariant(flags: Set<string>): CpuVariant {
  if (AVX512_AMX_FLAGS.every((f) => flags.has(f))) return 'avx512amx';
  if (AVX512_BF16_FLAGS.every((f) => flags.has(f))) return 'avx512bf16';
  return AVX512_FLAGS.every((f) => flags.has(f)) ? 'avx512' : 'baseline';
}

/**
 * The addon file for this CPU, given the baseline addon's path. A variant that was not built
 * (WHISPER_CPU_VARIANTS="", a non-x86 machine) falls back to the baseline.
 */
export function chooseAddon(
  baseline: string,
  opts: { forced?: string; flags?: Set<string>; exists?: (file: string) => boolean } = {},
): { file: string; variant: CpuVariant } {
  const exists = opts.exists ?? existsSync;
  const forced = opts.forced ?? process.env.WHISPER_CPU_VARIANT ?? 'auto';
  if (forced !== 'auto' && !VARIANTS.includes(forced as CpuVariant)) {
    throw new Error(`WHISPER_CPU_VARIANT must be auto, ${VARIANTS.join(', ')} (got '${forced}')`);
  }
  const fileOf = (v: CpuVariant) => (v === 'baseline' ? baseline : path.join(path.dirname(baseline), `smart-whisper-${v}.node`));
  if (forced !== 'auto') {
    const variant = forced as CpuVariant;
    if (variant !== 'baseline' && !exists(fileOf(variant))) throw new Error(`WHISPER_CPU_VARIANT=${forced}, but ${fileOf(variant)} was not built`);
    return { file: fileOf(variant), variant };
  }
  // The best the CPU runs, else the next best that was built (each variant runs the code of those before it).
  const best = VARIANTS.indexOf(bestVariant(opts.flags ?? cpuFlags()));
  const variant = VARIANTS.slice(0, best + 1).reverse().find((v) => v === 'baseline' || exists(fileOf(v)))!;
  return { file: fileOf(variant), variant };
}
