/**
 * Every `curl` line in README.md, run as written (by bash, with BASE_URL and OPENAI_API_KEY set
 * to a server started here on 127.0.0.1, in a directory holding jfk.wav and german.wav).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT, audio, requireWeights, startServer, type RunningServer } from './helpers/server.js';

const KEY = 'sk-readme';

/** curl commands from fenced bash blocks; a trailing backslash continues a command. */
export function curlLines(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```(?:bash|sh|shell)\n([\s\S]*?)```/g)].map((m) => m[1]);
  const commands = blocks.flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n'));
  return commands.map((l) => l.trim()).filter((l) => l.startsWith('curl '));
}

const lines = curlLines(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
let server: RunningServer;
let cwd: string;

beforeAll(async () => {
  requireWeights('tiny.en', 'base');
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-readme-'));
  fs.copyFileSync(audio('jfk.wav'), path.join(cwd, 'jfk.wav'));
  fs.copyFileSync(audio('picovoice_test_de.wav'), path.join(cwd, 'german.wav'));
  fs.copyFileSync(audio('fw_stereo_diarization.wav'), path.join(cwd, 'call.wav'));
  server = await startServer({ API_KEYS: KEY, PRELOAD_MODELS: 'tiny.en,base' });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(cwd, { recursive: true, force: true });
});

test('the README has curl examples for every public route family', () => {
  const all = lines.join('\n');
  for (const route of ['/health', '/v1/models', '/v1/audio/transcriptions', '/v1/audio/translations', '/whisper', '/metrics']) {
    expect(all).toContain(route);
  }
});

test.each(lines)('%s', (line) => {
  const out = execFileSync('bash', ['-euo', 'pipefail', '-c', line], {
    cwd,
    env: { ...process.env, BASE_URL: server.url, OPENAI_API_KEY: KEY },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(out.trim().length).toBeGreaterThan(0);
  expect(out).not.toMatch(/"error"\s*:\s*\{/);
  if (line.includes('call.wav')) {
    // Two speakers, one per channel (split by channel: no speaker models needed).
    expect(out).toMatch(/"speaker":"A"[\s\S]*"speaker":"B"/);
    expect(out).toMatch(/horizon/i);
  } else if (line.includes('/v1/audio/transcriptions') && !line.includes('stream=true')) {
    expect(out).toMatch(/ask not what your country/i);
  }
  if (line.includes('stream=true')) expect(out.trim().endsWith('data: [DONE]')).toBe(true);
}, 120_000);
