/**
 * Runs test/python/test_hosted_fields.py (the `openai` PyPI client: logprobs, keywords,
 * languages, diarized_json) against the real server with real weights. Missing Python or
 * `openai` is a failure with instructions, never a skip.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AUDIO, ROOT, requireWeights, startServer, type RunningServer } from './helpers/server.js';

const PYTHON = process.env.PYTHON ?? 'python3';
let server: RunningServer;

beforeAll(async () => {
  requireWeights('tiny.en', 'base');
  const probe = spawnSync(PYTHON, ['-c', 'import openai'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`This test needs ${PYTHON} with the openai package (pip install openai).\n${probe.stderr}`);
  server = await startServer({ PRELOAD_MODELS: 'tiny.en', DEFAULT_MODEL: 'tiny.en' });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

test('the openai PyPI client: logprobs, keywords, languages, diarized_json and its refusals', () => {
  const run = spawnSync(PYTHON, [path.join(ROOT, 'test/python/test_hosted_fields.py')], {
    encoding: 'utf8',
    env: { ...process.env, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'unused', AUDIO_DIR: AUDIO },
    timeout: 300_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  expect(run.status, output).toBe(0);
  expect(output).toMatch(/8 passed, 0 failed/);
}, 300_000);
