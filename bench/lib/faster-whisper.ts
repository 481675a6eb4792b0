/** Starts bench/fw_worker.py (faster-whisper, CPU) as a child process and talks JSON lines. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { ct2TinyEn, fwPython, repoRoot } from './env.js';
import type { Decoding } from './settings.js';

export interface FwWorker {
  pid: number;
  transcribe(file: string, d: Decoding): Promise<{ seconds: number; text: string }>;
  /** speaches' defaults (batched pipeline, VAD, beam 5), timed from the file: see fw_worker.py. */
  speaches(file: string): Promise<{ seconds: number; text: string }>;
  close(): Promise<void>;
}

export interface FwOptions {
  /** CTranslate2 workers (parallel transcribe() calls); the comparisons send one at a time. Default 1. */
  numWorkers?: number;
  /**
   * Leave faster-whisper's defaults alone: cpu_threads=0 and no OMP_NUM_THREADS, so CTranslate2
   * sizes its pool itself. Only bench/fw-settings.ts uses it, to show what pinning changes.
   */
  unpinned?: boolean;
  /** Extra environment, e.g. OMP_WAIT_POLICY. */
  env?: NodeJS.ProcessEnv;
}

/**
 * `threads` is pinned twice, as cpu_threads (CTranslate2's intra-op pool) and OMP_NUM_THREADS
 * (any other OpenMP user in the process), so faster-whisper gets exactly the engine's threads.
 */
export async function startFw(computeType: 'int8' | 'float32', threads: number, opts: FwOptions = {}): Promise<FwWorker> {
  const cpuThreads = opts.unpinned ? 0 : threads;
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (opts.unpinned) delete env.OMP_NUM_THREADS;
  else env.OMP_NUM_THREADS = String(threads);
  const argv = [path.join(repoRoot, 'bench/fw_worker.py'), ct2TinyEn(), computeType, String(cpuThreads), String(opts.numWorkers ?? 1)];
  const child = spawn(fwPython(), argv, { stdio: ['pipe', 'pipe', 'inherit'], env });
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let next = 0;
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line);
    if (msg.id === -1) return ready();
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) p?.reject(new Error(msg.error));
    else p?.resolve(msg);
  });
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`fw worker exited (${code})`));
  });
  await isReady;
  const ask = (req: Record<string, unknown>): Promise<{ seconds: number; text: string }> =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('faster-whisper worker: no reply in 600 s'));
      }, 600_000);
      const done = <T,>(f: (v: T) => void) => (v: T) => (clearTimeout(timer), f(v));
      pending.set(id, { resolve: done(resolve), reject: done(reject) });
      child.stdin.write(JSON.stringify({ id, ...req }) + '\n');
    });
  return {
    pid: child.pid!,
    speaches: (file) => ask({ file, mode: 'speaches' }),
    transcribe: (file, d) => ask({ file, beam_size: d.beamSize, best_of: d.bestOf, fallback: d.fallback }),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}
