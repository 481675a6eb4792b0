/** Starts this server (`npm start`) on 127.0.0.1 at an ephemeral port, for the HTTP benchmarks. */
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './env.js';

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export interface OurServer {
  url: string;
  /** POSTs a file to /v1/audio/transcriptions; resolves with the wall seconds and the text. */
  transcribe(bytes: Uint8Array<ArrayBuffer>, name: string, fields?: Record<string, string>): Promise<{ seconds: number; text: string }>;
  close(): void;
}

/** How a bench names the server of another checkout: by the commit it stands at. */
export function checkoutName(checkout: string): string {
  return `checkout ${execFileSync('git', ['-C', checkout, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()}`;
}

/**
 * `env` on top of the server's defaults (only HOST, PORT, LOG_LEVEL and the preload are set here).
 * `checkout`: another checkout of this repository to start instead (an earlier engine, built there),
 * on this checkout's models unless `env` names a MODELS_DIR.
 */
export async function startOurServer(env: Record<string, string> = {}, checkout = repoRoot): Promise<OurServer> {
  const port = await freePort();
  const models = checkout === repoRoot ? {} : { MODELS_DIR: path.join(repoRoot, 'models') };
  const child = spawn('npm', ['start'], {
    cwd: checkout,
    detached: true, // its own process group: npm → tsx → node (→ relaunched child)
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', PRELOAD_MODELS: 'tiny.en', ...models, ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error('npm start exited early');
    if (await fetch(`${url}/ready`).then((r) => r.ok, () => false)) break;
    if (i > 600) throw new Error('server not ready in 60 s');
    await sleep(100);
  }
  return {
    url,
    async transcribe(bytes, name, fields = {}) {
      const form = new FormData();
      form.set('file', new Blob([bytes]), name);
      form.set('model', 'tiny.en');
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      const t0 = performance.now();
      const res = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form, signal: AbortSignal.timeout(600_000) });
      const body = (await res.json()) as { text: string };
      if (!res.ok) throw new Error(`our server: ${res.status} ${JSON.stringify(body)}`);
      return { seconds: (performance.now() - t0) / 1000, text: body.text };
    },
    close() {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch (err) {
        console.error(`our server was already gone (${(err as Error).message}); exit code ${child.exitCode}`);
      }
    },
  };
}
