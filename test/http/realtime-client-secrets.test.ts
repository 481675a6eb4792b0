/**
 * Browser auth for the realtime WebSocket: client secrets minted with openai-node
 * (`client.realtime.clientSecrets.create`, beta `client.beta.realtime.transcriptionSessions.create`),
 * then used, expired and forged in the `openai-insecure-api-key.` subprotocol; and the `Origin`
 * check on the upgrade. Around the fake pool and a fake VAD.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createClientSecrets, signingKey } from '../../src/realtime/client-secrets.js';
import { fakeVad } from '../support/fake-vad.js';
import { fakeDecoder, fakePool } from './helpers/fakes.js';

type Ev = Record<string, any>;
const KEY = 'sk-secrets-test';
const ALLOWED = 'https://captions.example.com';

let app: FastifyInstance;
let http: string;
let root: string;
let client: OpenAI;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'whisper-rt-secrets-'));
  await fs.mkdir(path.join(root, 'models'));
  for (const name of ['tiny.en', 'base']) await fs.writeFile(path.join(root, 'models', `ggml-${name}.bin`), 'x');
  const config = loadConfig({ LOG_LEVEL: 'silent', MODELS_DIR: path.join(root, 'models'), TMP_DIR: root, API_KEYS: KEY, CORS_ORIGINS: ALLOWED });
  app = await buildApp(config, { pool: fakePool(), decoder: fakeDecoder(), vad: fakeVad() });
  http = await app.listen({ host: '127.0.0.1', port: 0 });
  client = new OpenAI({ apiKey: KEY, baseURL: `${http}/v1` });
});
afterAll(async () => {
  await app.close();
  await fs.rm(root, { recursive: true, force: true });
});

/** Opens a socket as a browser would (key in the subprotocol); resolves once it closes or `until` events came. */
async function open(secret: string, opts: { origin?: string; until?: number; headers?: Record<string, string> } = {}) {
  const ws = new WebSocket(`${http.replace('http', 'ws')}/v1/realtime?intent=transcription`, ['realtime', `openai-insecure-api-key.${secret}`], {
    ...(opts.origin ? { origin: opts.origin } : {}),
    headers: opts.headers,
  });
  const events: Ev[] = [];
  ws.on('message', (d: Buffer) => events.push(JSON.parse(d.toString())));
  const status = await new Promise<number>((resolve, reject) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req: unknown, res: { statusCode: number }) => resolve(res.statusCode));
    ws.once('error', reject);
  });
  let code: number | undefined;
  ws.once('close', (c: number) => (code = c));
  if (status === 101) await expect.poll(() => events.length >= (opts.until ?? 1) || code !== undefined).toBe(true);
  return { ws, status, events, code: () => code };
}

const GA_SESSION = {
  type: 'transcription' as const,
  audio: { input: { transcription: { model: 'whisper-1', language: 'en', prompt: 'captions' }, turn_detection: null } },
  include: ['item.input_audio_transcription.logprobs' as const],
};

describe('POST /v1/realtime/client_secrets (openai-node clientSecrets.create)', () => {
  it('mints an ek_ secret with its expiry and the effective session', async () => {
    const before = Math.floor(Date.now() / 1000);
    const secret = await client.realtime.clientSecrets.create({ expires_after: { anchor: 'created_at', seconds: 120 }, session: GA_SESSION });
    expect(secret.value).toMatch(/^ek_[\w-]+\.[\w-]+$/);
    expect(secret.expires_at).toBeGreaterThanOrEqual(before + 120);
    expect(secret.expires_at).toBeLessThanOrEqual(before + 121);
    expect(secret.session).toMatchObject({
      type: 'transcription',
      object: 'realtime.transcription_session',
      audio: { input: { transcription: { model: 'whisper-1', language: 'en', prompt: 'captions' }, turn_detection: null } },
      include: ['item.input_audio_transcription.logprobs'],
    });
  });

  it('the secret opens a socket without the API key, and its session configuration applies', async () => {
    const { value } = await client.realtime.clientSecrets.create({ session: GA_SESSION });
    const c = await open(value);
    expect(c.status).toBe(101);
    expect(c.ws.protocol).toBe('realtime'); // the secret is never echoed back
    const [created] = c.events;
    expect(created.type).toBe('session.created');
    expect(created.session.audio.input).toMatchObject({ transcription: { model: 'whisper-1', language: 'en', prompt: 'captions' }, turn_detection: null });
    expect(created.session.include).toEqual(['item.input_audio_transcription.logprobs']);
    c.ws.close();
  });

  it('an expired secret gets an error event a page can read, then close 1008', async () => {
    // Signed with the server's key (derived from API_KEYS, as on every replica), expired a second ago.
    const value = createClientSecrets(signingKey([KEY])).mint({ expiresAt: Math.floor(Date.now() / 1000) - 1, dialect: 'ga', session: {} });
    const c = await open(value, { until: 1 });
    await expect.poll(() => c.code()).toBe(1008);
    expect(c.events.map((e) => [e.type, e.error?.code])).toEqual([['error', 'client_secret_expired']]);
  });

  it('a forged secret (payload changed, or made up) is refused the same way', async () => {
    const { value } = await client.realtime.clientSecrets.create({});
    const [payload, sig] = value.slice(3).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const longer = Buffer.from(JSON.stringify({ ...claims, e: claims.e + 86_400 })).toString('base64url');
    for (const forged of [`ek_${longer}.${sig}`, 'ek_made-up.signature', `ek_${payload}`]) {
      const c = await open(forged, { until: 1 });
      await expect.poll(() => c.code()).toBe(1008);
      expect(c.events.map((e) => [e.type, e.error?.code])).toEqual([['error', 'invalid_client_secret']]);
    }
  });

  it('minting needs the API key, and a session the protocol refuses is a 400 naming the field', async () => {
    const anonymous = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${http}/v1` });
    await expect(anonymous.realtime.clientSecrets.create({})).rejects.toMatchObject({ status: 401 });
    await expect(
      client.realtime.clientSecrets.create({ session: { type: 'transcription', audio: { input: { transcription: { delay: 'instant' as never } } } } }),
    ).rejects.toMatchObject({ status: 400, param: 'session.audio.input.transcription.delay' });
    await expect(client.realtime.clientSecrets.create({ session: { type: 'realtime' } as never })).rejects.toMatchObject({ status: 400, param: 'session.type' });
    await expect(client.realtime.clientSecrets.create({ expires_after: { anchor: 'created_at', seconds: 5 } })).rejects.toMatchObject({ status: 400 });
  });
});

describe('POST /v1/realtime/transcription_sessions (beta)', () => {
  it('answers the session with client_secret {value, expires_at}; the secret opens a beta session', async () => {
    const s = await client.beta.realtime.transcriptionSessions.create({
      input_audio_format: 'pcm16',
      input_audio_transcription: { model: 'whisper-1', language: 'en' },
      turn_detection: { type: 'server_vad', silence_duration_ms: 700 },
    });
    expect(s.client_secret.value).toMatch(/^ek_/);
    expect(s.client_secret.expires_at).toBeGreaterThan(Date.now() / 1000 + 590);
    expect(s).toMatchObject({ input_audio_format: 'pcm16', input_audio_transcription: { model: 'whisper-1', language: 'en' }, turn_detection: { type: 'server_vad', silence_duration_ms: 700 } });
    const c = await open(s.client_secret.value);
    // A beta secret's session speaks beta only when the client does; its configuration applies either way.
    expect(c.events[0].session.audio.input.turn_detection).toMatchObject({ type: 'server_vad', silence_duration_ms: 700 });
    c.ws.close();
  });
});

describe('the Origin of a browser page', () => {
  it('a page of another site gets 403 before the upgrade, even with a valid secret', async () => {
    const { value } = await client.realtime.clientSecrets.create({});
    const c = await open(value, { origin: 'https://evil.example.net' });
    expect(c.status).toBe(403);
  });

  it('CORS_ORIGINS, the server itself, and clients that send no Origin (SDKs) are let in', async () => {
    const { value } = await client.realtime.clientSecrets.create({});
    for (const origin of [ALLOWED, http, undefined]) {
      const c = await open(value, { origin });
      expect([origin, c.status]).toEqual([origin, 101]);
      c.ws.close();
    }
  });

  it("behind a proxy, the page of the proxy's public host (X-Forwarded-Host) is the server's own", async () => {
    const { value } = await client.realtime.clientSecrets.create({});
    const c = await open(value, { origin: 'https://stt.example.org', headers: { 'x-forwarded-host': 'stt.example.org' } });
    expect(c.status).toBe(101);
    c.ws.close();
  });
});
