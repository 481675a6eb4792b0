import { describe, expect, it } from 'vitest';
import { bestVariant, chooseAddon, cpuFlags } from '../../src/engine/cpu-variant.js';

const AVX512 = 'fpu sse2 avx avx2 fma f16c bmi2 avx512f avx512dq avx512cd avx512bw avx512vl avx512vbmi avx512_vnni';
const BASE = '/nm/smart-whisper/build/Release/smart-whisper.node';

describe('runtime CPU dispatch', () => {
  it('reads the flags line of /proc/cpuinfo', () => {
    const flags = cpuFlags(`processor\t: 0\nflags\t\t: ${AVX512}\nbugs\t\t: none\n`);
    expect(flags.has('avx512_vnni')).toBe(true);
    expect(flags.has('none')).toBe(false);
  });

  it('chooses avx512 only when every flag the build uses is there, and avx512bf16 with avx512_bf16 too', () => {
    expect(bestVariant(cpuFlags(`flags : ${AVX512}`))).toBe('avx512');
    expect(bestVariant(cpuFlags(`flags : ${AVX512} avx512_bf16`))).toBe('avx512bf16');
    // Cooper Lake-like: BF16 without VBMI runs the baseline, as without BF16.
    expect(bestVariant(cpuFlags('flags : avx2 avx512f avx512dq avx512cd avx512bw avx512vl avx512_vnni avx512_bf16'))).toBe('baseline');
    // Skylake-X: AVX-512 without VBMI/VNNI runs the baseline.
    expect(bestVariant(cpuFlags('flags : avx2 avx512f avx512dq avx512cd avx512bw avx512vl'))).toBe('baseline');
    expect(bestVariant(new Set())).toBe('baseline');
  });

  it('loads the variant file beside the baseline, and falls back when it was not built', () => {
    const flags = cpuFlags(`flags : ${AVX512}`);
    expect(chooseAddon(BASE, { forced: 'auto', flags, exists: () => true })).toEqual({
      file: '/nm/smart-whisper/build/Release/smart-whisper-avx512.node',
      variant: 'avx512',
    });
    expect(chooseAddon(BASE, { forced: 'auto', flags, exists: () => false })).toEqual({ file: BASE, variant: 'baseline' });
    expect(chooseAddon(BASE, { forced: 'baseline', flags, exists: () => true })).toEqual({ file: BASE, variant: 'baseline' });
  });

  it('on a BF16 CPU takes the avx512bf16 file, else the avx512 one, else the baseline', () => {
    const flags = cpuFlags(`flags : ${AVX512} avx512_bf16`);
    const built = (...names: string[]) => (file: string) => names.some((n) => file.endsWith(`/smart-whisper-${n}.node`));
    expect(chooseAddon(BASE, { forced: 'auto', flags, exists: built('avx512', 'avx512bf16') })).toEqual({
      file: '/nm/smart-whisper/build/Release/smart-whisper-avx512bf16.node',
      variant: 'avx512bf16',
    });
    expect(chooseAddon(BASE, { forced: 'auto', flags, exists: built('avx512') }).variant).toBe('avx512');
    expect(chooseAddon(BASE, { forced: 'auto', flags, exists: built() }).variant).toBe('baseline');
    // An avx512-only CPU never loads the BF16 build.
    expect(chooseAddon(BASE, { forced: 'auto', flags: cpuFlags(`flags : ${AVX512}`), exists: built('avx512', 'avx512bf16') }).variant).toBe('avx512');
    expect(chooseAddon(BASE, { forced: 'avx512bf16', exists: built('avx512bf16') }).variant).toBe('avx512bf16');
  });

  it('on an AMX CPU takes the avx512amx file, and an AMX flag missing means the BF16 one', () => {
    const amx = cpuFlags(`flags : ${AVX512} avx512_bf16 amx_tile amx_int8 amx_bf16`);
    const built = (...names: string[]) => (file: string) => names.some((n) => file.endsWith(`/smart-whisper-${n}.node`));
    expect(bestVariant(amx)).toBe('avx512amx');
    expect(chooseAddon(BASE, { forced: 'auto', flags: amx, exists: built('avx512', 'avx512bf16', 'avx512amx') })).toEqual({
      file: '/nm/smart-whisper/build/Release/smart-whisper-avx512amx.node',
      variant: 'avx512amx',
    });
    // Not built (WHISPER_CPU_VARIANTS without it): the next best.
    expect(chooseAddon(BASE, { forced: 'auto', flags: amx, exists: built('avx512', 'avx512bf16') }).variant).toBe('avx512bf16');
    // A hypervisor that hides one of the three AMX flags: the BF16 build.
    expect(bestVariant(cpuFlags(`flags : ${AVX512} avx512_bf16 amx_tile amx_bf16`))).toBe('avx512bf16');
    // AMX is only taken with the AVX-512 + BF16 set the build also uses.
    expect(bestVariant(cpuFlags(`flags : ${AVX512} amx_tile amx_int8 amx_bf16`))).toBe('avx512');
  });

  it('refuses a forced variant that is missing or unknown', () => {
    expect(() => chooseAddon(BASE, { forced: 'avx512', exists: () => false })).toThrow(/was not built/);
    expect(() => chooseAddon(BASE, { forced: 'sse2' })).toThrow(/auto, baseline, avx512, avx512bf16, avx512amx/);
  });
});
