/**
 * `docker run <image> serve`, SageMaker's way of starting a hosting container: the entrypoint
 * turns `serve …` into `node $APP_DIR/dist/main.js serve …`. First the exact command it execs
 * (a stand-in main.js that prints its argv), then the real server (src/main.ts through tsx, real
 * tiny.en) started by `entrypoint.sh serve`: it listens on SAGEMAKER_BIND_TO_PORT and answers
 * GET /ping with 200 and an empty body. The built dist/ is exercised by .ci/deploy-checks.sh.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/moto.js';
import { ROOT } from './render.js';

const ENTRYPOINT = path.join(ROOT, 'scripts/docker/entrypoint.sh');
let root: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'entrypoint-serve-'));
});
afterAll(async () => {
  // Whatever the test did, the server it started does not outlive it.
  if (child && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
  await rm(root, { recursive: true, force: true });
});

describe('entrypoint.sh serve', () => {
  it('execs node $APP_DIR/dist/main.js serve with the arguments after serve', async () => {
    const app = path.join(root, 'argv-app');
    await mkdir(path.join(app, 'dist'), { recursive: true });
    await writeFile(path.join(app, 'dist/main.js'), 'console.log(JSON.stringify(process.argv.slice(1)));\n');
    const r = spawnSync(ENTRYPOINT, ['serve', '--extra'], { env: { ...process.env, APP_DIR: app, PULL_MODELS: '' }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([path.join(app, 'dist/main.js'), 'serve', '--extra']);
    // Any other command is still run as given.
    const other = spawnSync(ENTRYPOINT, ['echo', 'serve'], { env: { ...process.env, APP_DIR: app, PULL_MODELS: '' }, encoding: 'utf8' });
    expect(other.stdout).toBe('serve\n');
  });

  it('starts the real server on SAGEMAKER_BIND_TO_PORT, answering GET /ping with 200', async () => {
    const weights = path.join(ROOT, 'models/ggml-tiny.en.bin');
    if (!fs.existsSync(weights)) throw new Error(`Missing test weights ${weights}. Run \`npm run models -- fetch-test\` first.`);
    // An app dir whose dist/main.js is the source entry (run by tsx), as the image's is the compiled one.
    const app = path.join(root, 'app');
    await mkdir(path.join(app, 'dist'), { recursive: true });
    await writeFile(path.join(app, 'package.json'), '{"type":"module"}\n');
    await writeFile(path.join(app, 'dist/main.js'), `await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'src/main.ts')).href)});\n`);
    await mkdir(path.join(root, 'tmp'), { recursive: true });
    const port = await freePort();
    const logs: string[] = [];
    child = spawn(ENTRYPOINT, ['serve'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        APP_DIR: app,
        PULL_MODELS: '',
        NODE_OPTIONS: '--import tsx',
        SAGEMAKER_BIND_TO_PORT: String(port),
        HOST: '127.0.0.1',
        PORT: '1',
        MODELS_DIR: path.join(ROOT, 'models'),
        DEFAULT_MODEL: 'tiny.en',
        TMP_DIR: path.join(root, 'tmp'),
        DATA_DIR: path.join(root, 'data'),
        LOG_LEVEL: 'warn',
        // Set, so main.ts does not relaunch itself: the process spawned here is the server.
        UV_THREADPOOL_SIZE: '8',
        MALLOC_MMAP_THRESHOLD_: '1048576',
      },
    });
    // Stack frames dropped: vitest tries to source-map any it finds in a message, and tsx's trip it up.
    const output = () => logs.join('').replace(/^\s*at .*\n?/gm, '');
    child.stdout!.on('data', (c: Buffer) => logs.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => logs.push(c.toString()));
    const deadline = Date.now() + 60_000;
    let status = 0;
    let body = '';
    while (Date.now() < deadline && child.exitCode === null) {
      const res = await fetch(`http://127.0.0.1:${port}/ping`).catch(() => undefined);
      if (res) {
        status = res.status;
        body = await res.text();
        if (status === 200) break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status, output()).toBe(200);
    expect(body).toBe('');
    // SIGTERM reaches the server (exec: no shell in between) and it drains and exits cleanly.
    const code = new Promise<number | null>((r) => child!.once('exit', (c) => r(c)));
    child.kill('SIGTERM');
    expect(await code, output()).toBe(0);
  }, 90_000);
});
