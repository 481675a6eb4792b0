/**
 * Runtime CPU dispatch: the install builds the addon for x86-64-v3 (every x86 server since ~2015)
 * and, beside it, an AVX-512 variant (scripts/native/build-variants.sh). This picks the best one
 * the CPU can run. WHISPER_CPU_VARIANT=baseline|avx512 forces a choice (auto by default).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type CpuVariant = 'baseline' | 'avx512';

/** What the avx512 build is compiled with (GGML_AVX512, _VBMI, _VNNI): all must be present. */
const AVX512_FLAGS = ['avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512cd', 'avx512vbmi', 'avx512_vnni'];

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
  if (!['auto', 'baseline', 'avx512'].includes(forced)) {
    throw new Error(`WHISPER_CPU_VARIANT must be auto, baseline or avx512 (got '${forced}')`);
  }
  const wanted: CpuVariant = forced === 'auto' ? bestVariant(opts.flags ?? cpuFlags()) : (forced as CpuVariant);
  if (wanted === 'baseline') return { file: baseline, variant: 'baseline' };
  const file = path.join(path.dirname(baseline), `smart-whisper-${wanted}.node`);
  if (exists(file)) return { file, variant: wanted };
  if (forced !== 'auto') throw new Error(`WHISPER_CPU_VARIANT=${forced}, but ${file} was not built`);
  return { file: baseline, variant: 'baseline' };
}
