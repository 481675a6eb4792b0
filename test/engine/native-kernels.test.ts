/**
 * The patch's CPU kernels against references, on every whisper.cpp build installed here that this CPU runs:
 * test/native/row-gemm-im2col.c, compiled against each build's static libraries and run.
 *  - The int8 row GEMM (the encoder's matrices and the cross-attention's K/V projections: AVX2 on the
 *    x86-64-v3 build, VNNI on the avx512 and avx512bf16 builds): within int8's error of the exact product, at
 *    the encoder's shapes and at every tile edge (M and N not multiples of 4, one block, fewer than 4 rows).
 *    The model's matrices and windows (multiples of 4 frames) never reach the edges, so only this test does.
 *  - Its exported quantizer before any graph has run (it read a scale of 0 through the CPU backend's f16
 *    table, which ggml_cpu_init() fills): the first product of the program is one of the cases.
 *  - im2col's 1-D f32 path (whisper's convolutions): the same f16 values as a plain loop, bit for bit.
 * The AMX build keeps ggml's int8 tiles: there the program checks that the row GEMM is off.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bestVariant, cpuFlags, type CpuVariant } from '../../src/engine/cpu-variant.js';
import { repoRoot } from '../support/paths.js';

const ORDER: CpuVariant[] = ['baseline', 'avx512', 'avx512bf16', 'avx512amx'];
const buildDir = (v: CpuVariant) => path.join(repoRoot, 'node_modules', v === 'baseline' ? '.whisper-native' : `.whisper-native-${v}`);
const runnable = ORDER.slice(0, ORDER.indexOf(bestVariant(cpuFlags())) + 1);
const installed = runnable.filter((v) => existsSync(path.join(buildDir(v), 'lib', 'libggml-cpu.a')));
const expectRowGemm = (v: CpuVariant) => (process.arch === 'x64' && v !== 'avx512amx' ? 1 : 0);

const work = mkdtempSync(path.join(tmpdir(), 'native-kernels-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the patch CPU kernels', () => {
  // (A library built elsewhere, WHISPER_NATIVE_DIR: the CUDA image, is linked with its own libraries.)
  it.runIf(!process.env.WHISPER_NATIVE_DIR)('the baseline build is installed (npm ci builds it)', () => {
    expect(installed).toContain('baseline');
  });

  for (const variant of installed) {
    it(`${variant} build: the row GEMM and im2col match their references`, () => {
      const dir = buildDir(variant);
      const exe = path.join(work, `kernels-${variant}`);
      const lib = (name: string) => path.join(dir, 'lib', name);
      execFileSync('cc', [
        '-O2', '-I', path.join(dir, 'include'), path.join(repoRoot, 'test', 'native', 'row-gemm-im2col.c'),
        lib('libggml.a'), lib('libggml-cpu.a'), lib('libggml-base.a'),
        '-fopenmp', '-lm', '-lstdc++', '-lpthread', '-o', exe,
      ]);
      const out = execFileSync(exe, [String(expectRowGemm(variant))], { encoding: 'utf8' });
      expect(out).toContain(`ggml_cpu_has_q8_row_gemm: ${expectRowGemm(variant)}`);
      expect(out).not.toMatch(/WRONG|FAILED/);
      expect(out.match(/^row GEMM .* ok$/gm)).toHaveLength(6);
      expect(out.match(/same bits as a plain loop$/gm)).toHaveLength(4);
      expect(out.trim().endsWith('all hold')).toBe(true);
    });
  }
});
