/**
 * Why a relaunch: libuv sizes its threadpool from UV_THREADPOOL_SIZE once, at the first
 * threadpool task, and under ESM that task happens before the entry module's body runs (the
 * module loader reads files with async fs). Setting the variable inside main.ts is therefore too
 * late, so when it is unset we start the same command again as a child with it set, and stay
 * in front as a thin supervisor: signals go through, the exit code comes back.
 * Setting UV_THREADPOOL_SIZE in the environment (Dockerfile, manifest) skips this step.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export function relaunchWithThreadpool(size: number): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...process.env, UV_THREADPOOL_SIZE: String(size) },
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
