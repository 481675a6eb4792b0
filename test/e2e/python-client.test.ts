/**
 * Runs test/python/test_openai_client.py (the `openai` PyPI client) against the real server, so
 * the Python SDK's behaviour counts in the vitest report. Missing Python or a missing `openai`
 * package is a failure with instructions, never a skip.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AUDIO, ROOT, requireWeights, startServer, type RunningServer } from './helpers/server.js';

const PYTHON = process.env.PYTHON ?? 'python3';
const KEY = 'sk-python-e2e';
let server: RunningServer;

beforeAll(async () => {
  requireWeights('tiny.en', 'base');
  const probe = spawnSync(PYTHON, ['-c', 'import openai; print(openai.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `The Python client test needs ${PYTHON} with the openai package (pip install openai).\n${probe.error ?? probe.stderr}`,
    );
  }
  server = await startServer({ API_KEYS: KEY, PRELOAD_MODELS: 'tiny.en,base' });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

test('the openai PyPI client: formats, stream, translation, models, typed errors', () => {
  const run = spawnSync(PYTHON, [path.join(ROOT, 'test/python/test_openai_client.py')], {
    encoding: 'utf8',
    env: { ...process.env, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: KEY, AUDIO_DIR: AUDIO },
    timeout: 300_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  expect(run.status, output).toBe(0);
  expect(output).toMatch(/7 passed, 0 failed/);
}, 300_000);
