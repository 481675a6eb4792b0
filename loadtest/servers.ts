/**
 * Starts N server replicas (src/main.ts, the real engine) on free 127.0.0.1 ports for a load run,
 * and waits until each one's /ready is 200. Replicas share whatever backends the environment
 * names (JOBS_BACKEND=redis + REDIS_URL, STORAGE, DATA_DIR), as a cluster's pods would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Replica {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startReplica(env: Record<string, string>, timeoutMs = 120_000): Promise<Replica> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  proc.stderr!.on('data', (c: Buffer) => logs.push(c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica did not listen:\n${logs.join('')}`)), timeoutMs);
    proc.stdout!.on('data', (c: Buffer) => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(c.toString());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => reject(new Error(`replica exited with ${code}:\n${logs.join('')}`)));
  });
  const deadline = Date.now() + timeoutMs;
  while ((await fetch(`${url}/ready`).then((r) => r.status, () => 0)) !== 200) {
    if (Date.now() > deadline) throw new Error(`replica ${url} never became ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    url,
    proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}
