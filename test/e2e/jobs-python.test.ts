/**
 * Runs test/python/test_jobs_client.py (the `openai` PyPI client driving the jobs API through
 * extra_headers and its generic get/post) against the real server and tiny.en. Missing Python
 * or a missing `openai` package fails with instructions, never skips.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AUDIO, ROOT, requireWeights, startServer, type RunningServer } from './helpers/server.js';

const PYTHON = process.env.PYTHON ?? 'python3';
const KEY = 'sk-python-jobs';
let server: RunningServer;

beforeAll(async () => {
  requireWeights('tiny.en');
  const probe = spawnSync(PYTHON, ['-c', 'import openai; print(openai.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`The Python jobs test needs ${PYTHON} with the openai package (pip install openai).\n${probe.error ?? probe.stderr}`);
  server = await startServer({ API_KEYS: KEY, PRELOAD_MODELS: 'tiny.en' });
}, 120_000);
afterAll(async () => {
  expect(await server?.leftovers()).toEqual([]);
  await server?.stop();
});

test('the openai PyPI client submits with Prefer: respond-async, polls, fetches results, gets typed errors', () => {
  const run = spawnSync(PYTHON, [path.join(ROOT, 'test/python/test_jobs_client.py')], {
    encoding: 'utf8',
    env: { ...process.env, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: KEY, AUDIO_DIR: AUDIO },
    timeout: 240_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  expect(run.status, output).toBe(0);
  expect(output).toMatch(/3 passed, 0 failed/);
}, 240_000);
