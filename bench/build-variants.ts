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
}

export const VARIANTS: Variant[] = (['none', 'x86-64-v3', 'native'] as const).flatMap((march) =>
  [true, false].map((openmp) => ({ name: `${march === 'none' ? 'published' : march}-omp${openmp ? 1 : 0}`, march, openmp })),
);

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
  const wanted = args.length ? VARIANTS.filter((v) => args.includes(v.name)) : VARIANTS;
  for (const v of wanted) build(v);
}
