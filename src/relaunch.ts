/**
 * Why a relaunch: two settings must be in the environment before the process starts work.
 * - UV_THREADPOOL_SIZE: libuv sizes its threadpool once, at the first threadpool task, and under
 *   ESM that task happens before the entry module's body runs (the module loader reads files
 *   with async fs). Each running transcription holds one threadpool thread.
 * - MALLOC_MMAP_THRESHOLD_: glibc reads it at startup. Every transcription allocates and frees a
 *   whisper_state (tens of MiB of KV cache and compute buffers) on some threadpool thread; with
 *   glibc's dynamic threshold those land in per-thread arenas that fragment and are never
 *   returned (RSS +38 % over 200 requests, BENCHMARKS.md). Pinned at 1 MiB, large buffers are
 *   mmapped and given back on free, and RSS stays flat.
 * When either is unset we start the same command again as a child with both set, and stay in
 * front as a thin supervisor: signals go through, the exit code comes back. Setting both in the
 * environment (Dockerfile, manifests) skips this step.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export const MMAP_THRESHOLD_BYTES = 1024 * 1024;

export function relaunchWithEnvironment(threadpoolSize: number): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: {
      ...process.env,
      UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE || String(threadpoolSize),
      MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ || String(MMAP_THRESHOLD_BYTES),
    },
    stdio: 'inherit',
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    child.once('error', () => resolve(1));
  });
}
