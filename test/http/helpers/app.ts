/** Builds the real app around fakes, in a private temp tree (models dir, spool dir). */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app.js';
import { loadConfig, type Config } from '../../../src/config.js';
import type { Diarizer } from '../../../src/diarization/types.js';
import type { VoiceActivityDetector } from '../../../src/engine/types.js';
import { fakeDecoder, fakePool, type FakePool } from './fakes.js';

export interface TestApp {
  app: FastifyInstance;
  pool: FakePool;
  decoder: ReturnType<typeof fakeDecoder>;
  config: Config;
  tmpDir: string;
  /** Whatever is left in the spool directory (should always be empty after a reply). */
  leftovers(): Promise<string[]>;
  close(): Promise<void>;
}

export async function makeTestApp(
  env: Record<string, string> = {},
  poolOpts: Parameters<typeof fakePool>[0] = {},
  deps: { vad?: VoiceActivityDetector; diarizer?: Diarizer; streams?: boolean } = {},
): Promise<TestApp> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'whisper-http-test-'));
  const modelsDir = path.join(root, 'models');
  const tmpDir = path.join(root, 'tmp');
  await fs.mkdir(modelsDir);
  await fs.mkdir(tmpDir);
  // The fake pool never reads weights; the catalogue only needs the files to exist.
  for (const name of ['tiny.en', 'base']) await fs.writeFile(path.join(modelsDir, `ggml-${name}.bin`), 'x');
  // The Silero VAD weights sit beside the models, as fetch-test puts them: never listed as a model.
  await fs.writeFile(path.join(modelsDir, 'ggml-silero-v6.2.0.bin'), 'x');
  const config = loadConfig({ LOG_LEVEL: 'silent', MODELS_DIR: modelsDir, TMP_DIR: tmpDir, DATA_DIR: path.join(root, 'data'), ...env });
  const pool = fakePool(poolOpts);
  const decoder = fakeDecoder({ streams: deps.streams });
  const app = await buildApp(config, { pool, decoder, vad: deps.vad, diarizer: deps.diarizer });
  await app.ready();
  return {
    app,
    pool,
    decoder,
    config,
    tmpDir,
    leftovers: () => fs.readdir(tmpDir),
    async close() {
      await app.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

type Part = string | string[] | { data: Uint8Array<ArrayBuffer> | string; filename: string; type?: string };

/** Encodes a multipart body exactly as undici's FormData does (what the Node SDK sends). */
export async function multipart(fields: Array<[string, Part]> | Record<string, Part>) {
  const fd = new FormData();
  const entries = Array.isArray(fields) ? fields : Object.entries(fields);
  for (const [key, value] of entries) {
    if (typeof value === 'string') fd.append(key, value);
    else if (Array.isArray(value)) for (const v of value) fd.append(key, v);
    else fd.append(key, new Blob([value.data], { type: value.type ?? 'application/octet-stream' }), value.filename);
  }
  const req = new Request('http://localhost/', { method: 'POST', body: fd });
  return {
    payload: Buffer.from(await req.arrayBuffer()),
    headers: { 'content-type': req.headers.get('content-type')! },
  };
}

export const audioFile = (seconds = 4, filename = 'speech.wav') => ({ data: `FAKE ${seconds}`, filename, type: 'audio/wav' });

/** The four keys every error body must have, with the types OpenAI uses. */
export function expectOpenAIError(body: unknown): { message: string; type: string; param: string | null; code: string | null } {
  const e = (body as { error?: Record<string, unknown> }).error;
  if (!e || typeof e.message !== 'string' || typeof e.type !== 'string') {
    throw new Error(`not an OpenAI error body: ${JSON.stringify(body)}`);
  }
  for (const k of ['param', 'code'] as const) {
    if (!(k in e) || (e[k] !== null && typeof e[k] !== 'string')) throw new Error(`bad '${k}' in ${JSON.stringify(body)}`);
  }
  return e as never;
}
