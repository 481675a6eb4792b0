/**
 * The container as SageMaker runs it: `main.ts serve` (what `docker run <image> serve` ends up
 * running), real whisper.cpp with tiny.en, SAGEMAKER_BIND_TO_PORT instead of PORT. SageMaker's
 * calls: /ping (fast even while busy), /invocations with raw bytes, JSON base64, custom
 * attributes and Accept; then SIGTERM with an invocation in flight: it completes, and the
 * process exits by itself well inside SageMaker's 30 s before SIGKILL.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { crashProcess, spawnNode } from './helpers/processes.js';
import { MODELS_DIR, ROOT, audio, normalize, requireWeights, waitFor } from './helpers/server.js';

const JFK = 'and so my fellow americans ask not what your country can do for you ask what you can do for your country';
let proc: ChildProcess;
let base: string;
let tmp: string;
const logs: string[] = [];
let exited: Promise<{ code: number | null; at: number }>;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  requireWeights('tiny.en');
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'whisper-sagemaker-'));
  const port = await freePort();
  // Tracked, in its own process group, and gone with this test process whatever happens (helpers/processes.ts).
  proc = spawnNode(['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    // PORT is what serve must ignore; DATA_DIR unset: serve puts it under TMP_DIR.
    env: { ...process.env, HOST: '127.0.0.1', PORT: '1', SAGEMAKER_BIND_TO_PORT: String(port), MODELS_DIR, TMP_DIR: tmp, DATA_DIR: '', BEAM_SIZE: '1', BEST_OF: '1', PRELOAD_MODELS: 'tiny.en', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (c: Buffer) => logs.push(c.toString()));
  proc.stderr!.on('data', (c: Buffer) => logs.push(c.toString()));
  exited = new Promise((resolve) => proc.once('exit', (code) => resolve({ code, at: Date.now() })));
  base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/ping`).then((r) => r.status).catch(() => 0)) === 200, 90_000, () => logs.join(''));
}, 120_000);
afterAll(async () => {
  if (proc) await crashProcess(proc);
  await fsp.rm(tmp, { recursive: true, force: true });
});

const wav = () => fs.readFileSync(audio('jfk.wav'));
const invoke = (body: BodyInit, headers: Record<string, string>) => fetch(`${base}/invocations`, { method: 'POST', body, headers });

describe('SageMaker hosting contract, real model', () => {
  test('/ping: 200 with an empty body on SAGEMAKER_BIND_TO_PORT', async () => {
    const res = await fetch(`${base}/ping`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  test('raw audio/wav in, JSON out (Accept absent), the same text as the OpenAI route', async () => {
    const res = await invoke(wav(), { 'content-type': 'audio/wav' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(normalize(((await res.json()) as { text: string }).text)).toBe(JFK);
  });

  test('custom attributes are read and echoed; Accept picks VTT and SubRip', async () => {
    const attrs = 'language=en,temperature=0';
    const vtt = await invoke(wav(), { 'content-type': 'application/octet-stream', accept: 'text/vtt', 'x-amzn-sagemaker-custom-attributes': attrs });
    expect(vtt.status).toBe(200);
    expect(vtt.headers.get('x-amzn-sagemaker-custom-attributes')).toBe(attrs);
    expect(await vtt.text()).toMatch(/^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> /);
    const srt = await invoke(wav(), { 'content-type': 'audio/x-wav', accept: 'application/x-subrip' });
    expect(srt.headers.get('content-type')).toMatch(/^application\/x-subrip/);
    expect(await srt.text()).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> /);
  });

  test('JSON with audio_b64 and verbose output with word timestamps', async () => {
    const body = JSON.stringify({ audio_b64: fs.readFileSync(audio('jfk.flac')).toString('base64'), timestamp_granularities: ['word'] });
    const res = await invoke(body, { 'content-type': 'application/json', accept: 'application/vnd.whisper.verbose+json' });
    expect(res.status).toBe(200);
    const v = (await res.json()) as { words: { word: string }[]; duration: number };
    expect(v.duration).toBeCloseTo(11, 0);
    expect(v.words.length).toBeGreaterThan(15);
  });

  test('a bad payload is an OpenAI-shaped 4xx from the real server too', async () => {
    const res = await invoke('not audio', { 'content-type': 'audio/wav' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'file' } });
  });

  test('SIGTERM: /ping stays fast, the in-flight invocation completes, the process exits 0 within 30 s', async () => {
    // An 11 s clip: seconds of compute here, well inside the 20 s drain grace that serve sets.
    const inflight = invoke(wav(), { 'content-type': 'audio/wav', accept: 'text/plain' });
    await new Promise((r) => setTimeout(r, 500));
    const p0 = performance.now();
    expect((await fetch(`${base}/ping`)).status).toBe(200);
    expect(performance.now() - p0).toBeLessThan(2000);
    const signalled = Date.now();
    proc.kill('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(normalize(await res.text())).toBe(JFK);
    const { code, at } = await exited;
    expect(code).toBe(0);
    expect(at - signalled).toBeLessThan(30_000);
    expect(logs.join('')).toMatch(/draining/);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('whisper-invocation-'))).toEqual([]);
  }, 90_000);
});
