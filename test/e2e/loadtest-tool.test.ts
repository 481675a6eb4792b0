/**
 * The load-test tool as the README runs it (npm run loadtest), for a few seconds against a real
 * server: Locust drives it, and the runner reports a step with latency percentiles and throughput.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireWeights, ROOT, startServer, type RunningServer } from './helpers/server.js';

const run = promisify(execFile);

describe('loadtest tool', () => {
  let server: RunningServer;
  beforeAll(async () => {
    requireWeights('tiny.en');
    server = await startServer({ POOL_CONCURRENCY: '1' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs a Locust step against the server and reports percentiles, audio-s/s and error rates', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'loadtest', '--', 'sync-json', '1', '5'], {
      cwd: ROOT,
      env: { ...process.env, LOADTEST_URL: server.url },
      timeout: 120_000,
    });
    const dir = /results: (\S+)/.exec(stdout)?.[1];
    expect(dir, stdout).toBeDefined();
    const report = JSON.parse(fs.readFileSync(path.join(ROOT, dir!, 'steps.json'), 'utf8'));
    const [step] = report.steps;
    expect(step.requests).toBeGreaterThanOrEqual(1);
    expect(step.errorRate).toBe(0);
    expect(step.audioPerSecond).toBeGreaterThan(0);
    expect(step.p95).toBeGreaterThanOrEqual(step.p50);
    expect(fs.existsSync(path.join(ROOT, dir!, 'u1.html'))).toBe(true);
    fs.rmSync(path.join(ROOT, dir!), { recursive: true, force: true });
  }, 150_000);

  it('drives realtime WebSocket turns (stream, commit, completed) and reports them the same way', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'loadtest', '--', 'realtime', '1', '5'], {
      cwd: ROOT,
      // 8x real time keeps the smoke test short; the default is a live microphone's pace.
      env: { ...process.env, LOADTEST_URL: server.url, LOADTEST_REALTIME_SPEED: '8' },
      timeout: 120_000,
    });
    const dir = /results: (\S+)/.exec(stdout)?.[1];
    expect(dir, stdout).toBeDefined();
    const [step] = JSON.parse(fs.readFileSync(path.join(ROOT, dir!, 'steps.json'), 'utf8')).steps;
    expect(step.requests).toBeGreaterThanOrEqual(1);
    expect(step.errorRate).toBe(0);
    expect(step.audioPerSecond).toBeGreaterThan(0);
    expect(step.p50).toBeGreaterThan(0);
    fs.rmSync(path.join(ROOT, dir!), { recursive: true, force: true });
  }, 150_000);

  it('refuses a target that is not loopback, before sending anything', async () => {
    await expect(
      run('npm', ['run', '--silent', 'loadtest', '--', 'sync-json', '1', '5'], { cwd: ROOT, env: { ...process.env, LOADTEST_URL: 'http://192.0.2.1:8000' } }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('refusing non-loopback target') });
  });
});
