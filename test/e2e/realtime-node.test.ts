/**
 * openai-node's realtime WebSocket clients (`openai/realtime/ws` GA and `openai/beta/realtime/ws`)
 * against the real server and real tiny.en. The SDK always connects with wss:, so the server runs
 * with a self-signed certificate made here, whose CA reaches `ws` through the client's `options`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { OpenAIRealtimeWS as BetaRealtimeWS } from 'openai/beta/realtime/ws';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REAL_VAD, caFetch, httpsFetch, makeCert, pcm24k, streamAudio, type Cert } from './helpers/realtime.js';
import { audio, normalize, requireWeights, startServer, type RunningServer } from './helpers/server.js';
import { wer } from '../support/wer.js';

const KEY = 'sk-e2e-realtime';
const JFK = 'and so my fellow americans ask not what your country can do for you ask what you can do for your country';
let server: RunningServer;
let client: OpenAI;
let cert: Cert;
let dir: string;

beforeAll(async () => {
  requireWeights('tiny.en');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-rt-e2e-'));
  cert = makeCert(dir);
  server = await startServer(
    { API_KEYS: KEY, PRELOAD_MODELS: 'tiny.en', POOL_CONCURRENCY: '2', THREADS_PER_REQUEST: '1', TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile },
    120_000,
    httpsFetch(cert.ca),
  );
  expect(server.url).toMatch(/^https:/);
  client = new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1` });
}, 150_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Ev = { type: string; [k: string]: any };

/** Collects every event of an SDK connection; until(type, n) resolves once n events of a type have come. */
function recorder(rt: { on(type: 'event', fn: (e: Ev) => void): void; on(type: 'error', fn: (e: unknown) => void): void }) {
  const events: Ev[] = [];
  const errors: unknown[] = [];
  const waits: Array<() => void> = [];
  rt.on('event', (e) => {
    events.push(e);
    waits.splice(0).forEach((w) => w());
  });
  rt.on('error', (e) => errors.push(e));
  const count = (type: string) => events.filter((e) => e.type === type).length;
  const until = async (type: string, n = 1, ms = 60_000) => {
    const end = Date.now() + ms;
    while (count(type) < n) {
      if (Date.now() > end) throw new Error(`waited for ${n}× ${type}; got ${events.map((e) => e.type).join(', ')}`);
      await new Promise<void>((r) => {
        waits.push(r);
        setTimeout(r, 200);
      });
    }
    return events.filter((e) => e.type === type);
  };
  return { events, errors, until, of: (type: string) => events.filter((e) => e.type === type) };
}

const append = (rt: { send(e: any): void }) => (chunk: Buffer) => rt.send({ type: 'input_audio_buffer.append', audio: chunk.toString('base64') });

/**
 * The completed transcripts against the jfk sentence. One manual turn allows 3 of its 22 words: the
 * words are committed from greedy partials of the growing buffer, and which partials run depends on
 * the machine's load. Two misreadings of tiny.en's partials can stand: "and so am i" for "and so my"
 * (two decodes 0.5 s apart read it so, the ones between read "my"), and "asked not", which every
 * decode from 3.75 s to 5.5 s of audio reads (bench/results/commit-rule.md). CI saw both in one
 * turn: 3 of 22 (issue 15's open streamed-WER gap).
 * server_vad cuts the clip into turns at its pauses, and tiny.en decodes a 2 s turn alone a little
 * differently, so those cases allow more.
 */
function expectStreamed(rec: ReturnType<typeof recorder>, itemIds?: string[], maxWer = 3 / 22) {
  const completed = rec.of('conversation.item.input_audio_transcription.completed');
  const deltas = rec.of('conversation.item.input_audio_transcription.delta');
  for (const c of completed) {
    const mine = deltas.filter((d) => d.item_id === c.item_id).map((d) => d.delta).join('');
    expect(mine).toBe(c.transcript); // append-only deltas add up to the final transcript
  }
  if (itemIds) expect(completed.map((c) => c.item_id)).toEqual(itemIds);
  const text = normalize(completed.map((c) => c.transcript).join(' '));
  if (maxWer === 0) expect(text).toBe(JFK);
  else expect([text, wer(JFK, text)]).toEqual([text, expect.toSatisfy((w: number) => w <= maxWer)]);
  expect(rec.errors).toEqual([]);
}

describe('openai-node OpenAIRealtimeWS (GA)', () => {
  test('manual commit: deltas while streaming, then completed with the whole clip', async () => {
    const rt = new OpenAIRealtimeWS({ model: 'whisper-1', options: { ca: cert.ca } }, client);
    const rec = recorder(rt as never);
    await rec.until('session.created');
    rt.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { format: { type: 'audio/pcm', rate: 24000 }, transcription: { model: 'whisper-1', language: 'en' }, turn_detection: null } } } });
    await rec.until('session.updated');
    await streamAudio(pcm24k(audio('jfk.wav')), append(rt), 100, 2);
    rt.send({ type: 'input_audio_buffer.commit' });
    const [completed] = await rec.until('conversation.item.input_audio_transcription.completed');
    const [committed] = rec.of('input_audio_buffer.committed');
    expect(completed.item_id).toBe(committed.item_id);
    expect(completed.usage).toEqual({ type: 'duration', seconds: expect.closeTo(11, 0) });
    await rec.until('conversation.item.done');
    expectStreamed(rec, [committed.item_id]);
    rt.close();
  }, 90_000);

  test(REAL_VAD ? 'server_vad: turns found by the Silero VAD' : 'server_vad without the VAD model: a clean vad_unavailable error', async () => {
    const rt = new OpenAIRealtimeWS({ model: 'tiny.en', options: { ca: cert.ca } }, client);
    const rec = recorder(rt as never);
    const [created] = await rec.until('session.created');
    rt.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 } } } } });
    if (!REAL_VAD) {
      expect(created.session.audio.input.turn_detection).toBeNull();
      await expect.poll(() => rec.errors.length).toBe(1);
      expect((rec.errors[0] as { error: { code: string; param: string } }).error).toMatchObject({ code: 'vad_unavailable', param: 'session.audio.input.turn_detection' });
      rt.close();
      return;
    }
    await rec.until('session.updated');
    await streamAudio(pcm24k(audio('jfk.wav'), 1.5), append(rt), 100, 2);
    const stopped = await rec.until('input_audio_buffer.speech_stopped');
    await rec.until('conversation.item.input_audio_transcription.completed', stopped.length);
    expect(rec.of('input_audio_buffer.speech_started').length).toBe(stopped.length);
    // 5 of 22 words, as the browser test: under a loaded suite an early partial's misread ("and so
    // am i", "what you are country": 4 of 22) is committed. Issue 15's open streamed-WER gap.
    expectStreamed(rec, stopped.map((s) => s.item_id), 0.25);
    rt.close();
  }, 90_000);
});

describe('openai-node with a client secret', () => {
  test('clientSecrets.create mints an ek_ secret that opens a session alone; its include gives logprobs on deltas and completed', async () => {
    const backend = new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, fetch: caFetch(cert.ca) });
    const secret = await backend.realtime.clientSecrets.create({
      expires_after: { anchor: 'created_at', seconds: 60 },
      session: { type: 'transcription', audio: { input: { transcription: { model: 'whisper-1', language: 'en' }, turn_detection: null } }, include: ['item.input_audio_transcription.logprobs'] },
    });
    // The page side: only the secret, never the API key.
    const page = new OpenAI({ apiKey: secret.value, baseURL: `${server.url}/v1` });
    const rt = new OpenAIRealtimeWS({ model: 'whisper-1', options: { ca: cert.ca } }, page);
    const rec = recorder(rt as never);
    const [created] = await rec.until('session.created');
    expect(created.session.include).toEqual(['item.input_audio_transcription.logprobs']);
    await streamAudio(pcm24k(audio('jfk.wav')), append(rt), 100, 2);
    rt.send({ type: 'input_audio_buffer.commit' });
    const [completed] = await rec.until('conversation.item.input_audio_transcription.completed');
    expectStreamed(rec);
    expect(completed.logprobs.map((l: Ev) => l.token).join('')).toBe(completed.transcript);
    expect(completed.logprobs.every((l: Ev) => l.logprob <= 0 && l.logprob > -20)).toBe(true);
    for (const d of rec.of('conversation.item.input_audio_transcription.delta')) expect(d.logprobs.map((l: Ev) => l.token).join('')).toBe(d.delta);
    rt.close();
  }, 90_000);
});

describe('openai-node beta OpenAIRealtimeWS', () => {
  test('transcription_session.update, manual commit, completed', async () => {
    const rt = new BetaRealtimeWS({ model: 'whisper-1', options: { ca: cert.ca } }, client);
    const rec = recorder(rt as never);
    const [created] = await rec.until('transcription_session.created');
    expect(created.session.object).toBe('realtime.transcription_session');
    rt.send({ type: 'transcription_session.update', session: { input_audio_format: 'pcm16', input_audio_transcription: { model: 'whisper-1' }, turn_detection: null } } as never);
    await rec.until('transcription_session.updated');
    await streamAudio(pcm24k(audio('jfk.wav')), append(rt), 100, 2);
    rt.send({ type: 'input_audio_buffer.commit' });
    await rec.until('conversation.item.input_audio_transcription.completed');
    expect(rec.of('conversation.item.created')).toHaveLength(1);
    expectStreamed(rec);
    rt.close();
  }, 90_000);

  test('a bad event gets an error event and the session goes on', async () => {
    const rt = new BetaRealtimeWS({ model: 'whisper-1', options: { ca: cert.ca } }, client);
    const rec = recorder(rt as never);
    await rec.until('transcription_session.created');
    rt.send({ type: 'transcription_session.update', session: { input_audio_format: 'mp3' } } as never);
    await expect.poll(() => rec.errors.length).toBe(1);
    rt.send({ type: 'input_audio_buffer.clear' });
    await rec.until('input_audio_buffer.cleared');
    rt.close();
  }, 30_000);
});
