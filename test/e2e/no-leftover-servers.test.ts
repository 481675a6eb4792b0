/**
 * No server an e2e test starts outlives it (helpers/processes.ts). Each case starts the real server
 * with a unique marker in its environment and then looks for any process still carrying it
 * (/proc/<pid>/environ, which also finds a relaunched child or an orphan):
 * - a start that fails (here: not listening in time) kills what it spawned;
 * - crash() (kill -9) of a server behind main.ts's relaunch supervisor ends the real server too;
 * - stop() of a server that ignores SIGTERM's drain kills it once the grace runs out;
 * - if the test process itself dies (kill -9 of a stand-in worker), its server ends by itself.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { liveProcesses } from './helpers/processes.js';
import { ROOT, requireWeights, startServer, waitFor } from './helpers/server.js';

/** Pids of live (non-zombie) processes whose environment holds MARKER=<marker>. */
function carrying(marker: string): number[] {
  const needle = `E2E_LEAK_MARKER=${marker}\0`;
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours.
    }
  }
  return pids;
}

const none = (marker: string, ms = 10_000) => waitFor(() => carrying(marker).length === 0, ms, () => `still running: ${carrying(marker).join(', ')}`);

it('a start that fails kills the process it spawned', async () => {
  const marker = randomUUID();
  const err = await startServer({ E2E_LEAK_MARKER: marker }, 300).then(() => undefined, (e: Error) => e);
  expect(err?.message).toMatch(/did not listen in time/);
  await none(marker);
  expect(liveProcesses()).toEqual([]);
});

it('crash() ends the relaunched server behind the supervisor, and stop() kills a drain that outlasts its grace', async () => {
  requireWeights('tiny.en');
  const marker = randomUUID();
  // No UV_THREADPOOL_SIZE: main.ts relaunches itself, so (with tsx's esbuild) at least two processes carry the marker.
  const a = await startServer({ E2E_LEAK_MARKER: marker, UV_THREADPOOL_SIZE: undefined });
  expect(carrying(marker).length).toBeGreaterThanOrEqual(2);
  await a.crash();
  await none(marker);

  const b = await startServer({ E2E_LEAK_MARKER: marker });
  b.proc.kill('SIGSTOP'); // it can no longer drain (or do anything) when SIGTERM comes
  const t0 = Date.now();
  await b.stop(1000);
  expect(Date.now() - t0).toBeLessThan(10_000);
  await none(marker);
  expect(liveProcesses()).toEqual([]);
}, 120_000);

it('a server whose test process dies ends by itself', async () => {
  requireWeights('tiny.en');
  const marker = randomUUID();
  const helper = fileURLToPath(new URL('./helpers/server.ts', import.meta.url));
  // A stand-in for a vitest worker: starts a server (relaunched, two processes), says so, then idles.
  const worker = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    const { startServer } = await import(${JSON.stringify(helper)});
    await startServer({ E2E_LEAK_MARKER: ${JSON.stringify(marker)}, UV_THREADPOOL_SIZE: undefined });
    console.log('READY');
    setInterval(() => {}, 1000);
  `], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.stdout!.on('data', (c: Buffer) => c.toString().includes('READY') && resolve());
      worker.once('exit', (code) => reject(new Error(`stand-in worker exited with ${code}`)));
    });
    expect(carrying(marker).length).toBeGreaterThanOrEqual(2);
    worker.kill('SIGKILL');
    await none(marker);
  } finally {
    worker.kill('SIGKILL');
    for (const pid of carrying(marker)) process.kill(pid, 'SIGKILL');
  }
}, 120_000);
