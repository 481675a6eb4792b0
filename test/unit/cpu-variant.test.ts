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

  it('chooses avx512 only when every flag the build uses is there', () => {
    expect(bestVariant(cpuFlags(`flags : ${AVX512}`))).toBe('avx512');
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

  it('refuses a forced variant that is missing or unknown', () => {
    expect(() => chooseAddon(BASE, { forced: 'avx512', exists: () => false })).toThrow(/was not built/);
    expect(() => chooseAddon(BASE, { forced: 'sse2' })).toThrow(/auto, baseline or avx512/);
  });
});
