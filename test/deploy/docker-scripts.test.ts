/**
 * The image's own scripts, run as the image runs them: the HEALTHCHECK probe and the entrypoint.
 * (.ci/deploy-checks.sh also runs the build-stage scripts for real in a scratch copy.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { MMAP_THRESHOLD_BYTES } from '../../src/relaunch.js';
import { ROOT } from './render.js';

const script = (name: string) => path.join(ROOT, 'scripts/docker', name);

/** Async on purpose: the fake server below lives in this process and must keep answering. */
function runHealthcheck(port: number): Promise<number | null> {
  const child = spawn(process.execPath, [script('healthcheck.mjs')], {
    env: { ...process.env, PORT: String(port), HEALTHCHECK_TIMEOUT_MS: '1000' },
    stdio: 'ignore',
  });
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

describe('healthcheck.mjs', () => {
  let server: http.Server;
  let port = 0;
  let status = 200;
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(status).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.close();
  });

  it('exits 0 when /health answers 200, 1 otherwise, and 1 when nothing listens', async () => {
    status = 200;
    expect(await runHealthcheck(port)).toBe(0);
    status = 503;
    expect(await runHealthcheck(port)).toBe(1);
    expect(seen).toEqual(['/health', '/health']);
    await new Promise<void>((r) => server.close(() => r()));
    expect(await runHealthcheck(port)).toBe(1);
  });
});

describe('entrypoint.sh', () => {
  const run = (env: Record<string, string>, ...cmd: string[]) =>
    spawnSync(script('entrypoint.sh'), cmd, { env: { ...process.env, APP_DIR: ROOT, ...env }, encoding: 'utf8' });

  it('execs the command when there is nothing to pull', () => {
    const r = run({ PULL_MODELS: '' }, 'echo', 'started');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('started\n');
  });

  it('does not start the command when a pull fails', () => {
    // APP_DIR has no compiled CLI here (dist/ is built by build-app.sh), so any pull fails; the
    // checksum path itself is exercised by .ci/deploy-checks.sh against the built app.
    const r = run({ PULL_MODELS: 'tiny.en', APP_DIR: '/nonexistent' }, 'echo', 'started');
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('started');
  });
});

describe('Dockerfiles', () => {
  it.each(['Dockerfile', 'Dockerfile.cuda'])('%s exposes PORT, runs as non-root and health-checks with node', (file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const config = loadConfig({}, 2);
    expect(text).toMatch(new RegExp(`^EXPOSE ${config.PORT}$`, 'm'));
    expect(text).toMatch(/^USER 1000:1000$/m);
    expect(text).toMatch(/CMD \["node", "\/app\/scripts\/docker\/healthcheck\.mjs"\]/);
    expect(text).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    // The glibc setting src/relaunch.ts would otherwise relaunch the server to apply.
    expect(text).toContain(`MALLOC_MMAP_THRESHOLD_=${MMAP_THRESHOLD_BYTES} `);
  });
});
