/**
 * Runs test/python/test_realtime_client.py (openai-python's realtime clients, GA and beta, over
 * ws://) against the real server and tiny.en. Missing Python, `openai` or `websockets` is a
 * failure with instructions, never a skip.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { REAL_VAD, pcm24k } from './helpers/realtime.js';
import { ROOT, audio, requireWeights, startServer, type RunningServer } from './helpers/server.js';

const PYTHON = process.env.PYTHON ?? 'python3';
const KEY = 'sk-python-realtime';
let server: RunningServer;
let dir: string;

beforeAll(async () => {
  requireWeights('tiny.en');
  const probe = spawnSync(PYTHON, ['-c', 'import openai, websockets'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(`The realtime Python test needs ${PYTHON} with openai and websockets (pip install openai websockets).\n${probe.error ?? probe.stderr}`);
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-rt-py-'));
  fs.writeFileSync(path.join(dir, 'jfk.pcm'), pcm24k(audio('jfk.wav')));
  server = await startServer({ API_KEYS: KEY, PRELOAD_MODELS: 'tiny.en', POOL_CONCURRENCY: '2', THREADS_PER_REQUEST: '1' });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('openai-python realtime clients: GA and beta, manual commit, server_vad, bad events', () => {
  const run = spawnSync(PYTHON, [path.join(ROOT, 'test/python/test_realtime_client.py')], {
    encoding: 'utf8',
    env: { ...process.env, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: KEY, PCM_FILE: path.join(dir, 'jfk.pcm'), REAL_VAD: REAL_VAD ? '1' : '0' },
    timeout: 300_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  expect(run.status, output).toBe(0);
  expect(output).toMatch(/4 passed, 0 failed/);
}, 300_000);
