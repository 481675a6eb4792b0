/**
 * Builds copies of the installed (patched) smart-whisper with different compiler flags into
 * bench/.builds/<variant>/ (git-ignored), for `npm run bench -- flags`. node_modules is never
 * touched: each variant is a copy, and the benchmark loads it via WHISPER_ADDON_PATH.
 * Usage: npm run bench -- build-variants [name ...]   (JOBS=2 by default; run it under nice)
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, variantAddon, variantsDir } from './lib/env.js';

export interface Variant {
  name: string;
  march: 'none' | 'x86-64-v3' | 'native';
  openmp: boolean;
  /** Experiment only (not a build flag): the copy's model.cc turns on flash attention. */
  flashAttn?: boolean;
}

export const VARIANTS: Variant[] = (['none', 'x86-64-v3', 'native'] as const).flatMap((march) =>
  [true, false].map((openmp) => ({ name: `${march === 'none' ? 'published' : march}-omp${openmp ? 1 : 0}`, march, openmp })),
);
/** What would flash attention (on by default in current whisper.cpp) buy the pinned 2ef717b? */
export const EXPERIMENTS: Variant[] = [{ name: 'x86-64-v3-omp1-fa', march: 'x86-64-v3', openmp: true, flashAttn: true }];

const DEFAULT_PARAMS = 'whisper_context_params params = whisper_context_default_params();';

const NODE_GYP = process.env.NODE_GYP ?? '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js';

function build(v: Variant): void {
  const dir = path.join(variantsDir, v.name);
  const stamp = path.join(dir, '.flags');
  const want = JSON.stringify(v);
  if (existsSync(variantAddon(v.name)) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) {
    console.error(`${v.name}: up to date`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
  const src = path.join(repoRoot, 'node_modules', 'smart-whisper');
  cpSync(src, dir, { recursive: true, filter: (p) => !p.startsWith(path.join(src, 'build')) });
  if (v.flashAttn) {
    const modelCc = path.join(dir, 'src', 'binding', 'model.cc');
    const code = readFileSync(modelCc, 'utf8');
    if (!code.includes(DEFAULT_PARAMS)) throw new Error(`${v.name}: model.cc no longer has '${DEFAULT_PARAMS}'`);
    writeFileSync(modelCc, code.replace(DEFAULT_PARAMS, `${DEFAULT_PARAMS}\n    params.flash_attn = true; // bench experiment`));
  }
  // node-addon-api resolves from the repo's node_modules: bench/.builds/<v> walks up to it.
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [NODE_GYP, 'rebuild', '--nodedir=/usr'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WHISPER_MARCH: v.march, WHISPER_OPENMP: v.openmp ? '1' : '0', JOBS: process.env.JOBS ?? '2' },
  });
  if (r.status !== 0) throw new Error(`${v.name}: node-gyp failed (${r.status})`);
  writeFileSync(stamp, want);
  console.error(`${v.name}: built in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

export async function main(args: string[]): Promise<void> {
  const all = [...VARIANTS, ...EXPERIMENTS];
  const wanted = args.length ? all.filter((v) => args.includes(v.name)) : VARIANTS;
  for (const v of wanted) build(v);
}
