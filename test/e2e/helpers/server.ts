/**
 * Starts the real server (src/main.ts: real whisper.cpp, real ffmpeg) as a child process on a
 * free port, the way production runs it, and waits for /ready. Real-model tests must fail
 * loudly, never skip, when the test weights are missing.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { audioDir, audioPath } from '../../support/paths.js';
import { crashProcess, spawnNode, stopProcess } from './processes.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MODELS_DIR = path.join(ROOT, 'models');
/** The test clips (test/fixtures/audio, or AUDIO_DIR). */
export const AUDIO = audioDir;
export const audio = audioPath;

/** Throws (so the suite fails, not skips) when a weights file is missing. */
export function requireWeights(...names: string[]): void {
  for (const name of names) {
    const file = path.join(MODELS_DIR, `ggml-${name}.bin`);
    if (!fs.existsSync(file)) {
      throw new Error(`Missing test weights ${file}. Run \`npm run models -- fetch-test\` first.`);
    }
  }
}

export interface RunningServer {
  url: string;
  proc: ChildProcess;
  tmpDir: string;
  logs: string[];
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
  leftovers(): Promise<string[]>;
  metric(name: string, model?: string): Promise<number>;
  /** SIGTERM (the drain), SIGKILL of its whole process group if it outlasts `graceMs`; removes its temp dirs. */
  stop(graceMs?: number): Promise<number | null>;
  /** kill -9 of the server and everything it started (a crash); its temp dirs stay, for a restart. */
  crash(): Promise<void>;
}

export async function startServer(
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
  /** A TLS server (TLS_CERT_FILE/TLS_KEY_FILE) is checked with this fetch, which trusts its CA. */
  fetchImpl: (url: string) => Promise<{ status: number; text(): Promise<string> }> = fetch,
): Promise<RunningServer> {
  const tmpDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'whisper-e2e-'));
  const logs: string[] = [];
  const fullEnv: Record<string, string | undefined> = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    MODELS_DIR,
    TMP_DIR: tmpDir,
    // Jobs' SQLite and blobs: beside the spool dir, so leftovers() still sees only temp files.
    DATA_DIR: `${tmpDir}-data`,
    // Greedy decoding keeps the suite quick on 2 cores; beam search is covered by the engine's tests.
    BEAM_SIZE: '1',
    BEST_OF: '1',
    ...env,
  };
  // An undefined value removes the variable (e.g. UV_THREADPOOL_SIZE, to exercise the relaunch).
  for (const [k, v] of Object.entries(fullEnv)) if (v === undefined) delete fullEnv[k];
  const proc = spawnNode(['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const removeDirs = async () => {
    await fsp.rm(tmpDir, { recursive: true, force: true });
    if (!env.DATA_DIR) await fsp.rm(`${tmpDir}-data`, { recursive: true, force: true });
  };
  let url: string;
  try {
    url = await listening(proc, exited, logs, timeoutMs);
    await waitFor(async () => (await fetchImpl(`${url}/ready`)).status === 200, timeoutMs, () => logs.join(''));
  } catch (err) {
    // A server that did not come up in time is still running: it must not outlive the failure.
    await crashProcess(proc);
    await removeDirs();
    throw err;
  }
  return {
    url,
    proc,
    tmpDir,
    logs,
    exited,
    leftovers: () => fsp.readdir(tmpDir),
    async metric(name, model) {
      const text = await (await fetchImpl(`${url}/metrics`)).text();
      const label = model ? `{model="${model}"}` : '';
      const line = text.split('\n').find((l) => l.startsWith(`${name}${label} `));
      return line ? Number(line.split(' ').pop()) : NaN;
    },
    async stop(graceMs) {
      await stopProcess(proc, 'SIGTERM', graceMs);
      const code = await exited;
      await removeDirs();
      return code;
    },
    crash: () => crashProcess(proc),
  };
}

/** The URL the server logs once it listens; rejects if it exits first or takes longer than timeoutMs. */
function listening(proc: ChildProcess, exited: Promise<number | null>, logs: string[], timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not listen in time:\n${logs.join('')}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      logs.push(text);
      const m = /Server listening at (https?:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => logs.push(c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs.join('')}`));
    });
  });
}

export async function waitFor(cond: () => Promise<boolean> | boolean, ms: number, why: () => string = () => ''): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms ${why()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Lower-case, drop punctuation and collapse spaces: enough to compare short English clips. */
export const normalize = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
