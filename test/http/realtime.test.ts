/**
 * GET /v1/realtime over a real socket (ws), around the fake pool and a fake VAD: auth in both
 * forms, refusals before the upgrade, the bad-input corpus (each answered by an `error` event,
 * the socket still usable), a turn end to end, a vanishing client (the page: test/http/playground.test.ts).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { fakeVad, pcm16 } from '../support/fake-vad.js';
import { expectOpenAIError } from './helpers/app.js';
import { fakeDecoder, fakePool, type FakePool } from './helpers/fakes.js';

type Ev = Record<string, any>;
const KEY = 'sk-realtime-test';

let app: FastifyInstance;
let pool: FakePool;
let base: string;
let root: string;
const vad = fakeVad();

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'whisper-rt-test-'));
  await fs.mkdir(path.join(root, 'models'));
  for (const name of ['tiny.en', 'base']) await fs.writeFile(path.join(root, 'models', `ggml-${name}.bin`), 'x');
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    MODELS_DIR: path.join(root, 'models'),
    TMP_DIR: root,
    API_KEYS: KEY,
    REALTIME_MAX_APPEND_BYTES: '96000',
    REALTIME_MAX_SESSIONS_PER_MODEL: '3',
  });
  pool = fakePool();
  app = await buildApp(config, { pool, decoder: fakeDecoder(), vad });
  base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
});
afterAll(async () => {
  await app.close();
  await fs.rm(root, { recursive: true, force: true });
});

/** A connected client that records every event; `next(type)` waits for the next one of a type. */
async function connect(opts: { protocols?: string[]; headers?: Record<string, string>; query?: string } = {}) {
  const ws = new WebSocket(`${base}/v1/realtime${opts.query ?? '?intent=transcription'}`, opts.protocols ?? [], {
    headers: opts.protocols ? opts.headers : { authorization: `Bearer ${KEY}`, ...opts.headers },
  });
  const events: Ev[] = [];
  const waiters: Array<{ type: string; from: number; resolve: (e: Ev) => void }> = [];
  let seen = 0;
  ws.on('message', (data: Buffer) => {
    const e = JSON.parse(data.toString());
    events.push(e);
    for (const w of [...waiters]) {
      const hit = events.slice(w.from).find((x) => x.type === w.type);
      if (hit) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req: unknown, res: { statusCode: number }) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
  });
  const client = {
    ws,
    events,
    send: (e: Ev | string) => ws.send(typeof e === 'string' ? e : JSON.stringify(e)),
    /** pcm16 as input_audio_buffer.append events of 4800 bytes (0.1 s at 24 kHz) each. */
    appendAudio(audio: Buffer) {
      for (let i = 0; i < audio.length; i += 4800) ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: audio.subarray(i, i + 4800).toString('base64') }));
    },
    /** The next event of `type` after everything seen so far. */
    next(type: string, ms = 5000): Promise<Ev> {
      const from = seen;
      const hit = events.slice(from).find((x) => x.type === type);
      if (hit) {
        seen = events.indexOf(hit) + 1;
        return Promise.resolve(hit);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${type} within ${ms} ms; got ${events.map((e) => e.type).join(', ')}`)), ms);
        waiters.push({ type, from, resolve: (e) => (clearTimeout(t), (seen = events.indexOf(e) + 1), resolve(e)) });
      });
    },
    close: () => new Promise<void>((r) => (ws.readyState === ws.CLOSED ? r() : (ws.once('close', () => r()), ws.close()))),
  };
  return client;
}

const manual = { type: 'session.update', session: { type: 'transcription', audio: { input: { turn_detection: null } } } };

describe('GET /v1/realtime: handshake', () => {
  it('refuses a connection without a key, and one with a wrong key (401 before the upgrade)', async () => {
    await expect(connect({ headers: { authorization: '' }, protocols: [] })).rejects.toMatchObject({ status: 401 });
    await expect(connect({ protocols: ['realtime', 'openai-insecure-api-key.wrong'] })).rejects.toMatchObject({ status: 401 });
  });

  it('accepts the browser subprotocol key, answers the `realtime` subprotocol, and sends session.created', async () => {
    const c = await connect({ protocols: ['realtime', `openai-insecure-api-key.${KEY}`] });
    expect(c.ws.protocol).toBe('realtime');
    expect((await c.next('session.created')).session).toMatchObject({ type: 'transcription' });
    await c.close();
  });

  it('speaks beta to a client that sends OpenAI-Beta: realtime=v1', async () => {
    const c = await connect({ headers: { 'openai-beta': 'realtime=v1' } });
    const created = await c.next('transcription_session.created');
    expect(created.session).toMatchObject({ object: 'realtime.transcription_session', input_audio_format: 'pcm16' });
    await c.close();
  });

  it('a plain GET answers 426 and a bad intent 400, in OpenAI error bodies', async () => {
    const http = base.replace('ws', 'http');
    const plain = await fetch(`${http}/v1/realtime?intent=transcription`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(plain.status).toBe(426);
    expect(expectOpenAIError(await plain.json()).code).toBe('upgrade_required');
    const bad = await fetch(`${http}/v1/realtime?intent=conversation`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(bad.status).toBe(400);
    expect(expectOpenAIError(await bad.json()).param).toBe('intent');
  });
});

describe('GET /v1/realtime: bad input never closes the socket', () => {
  const b64 = (n: number) => Buffer.alloc(n).toString('base64');
  const corpus: Array<[string, string | Ev, string, string | null]> = [
    ['garbage JSON', '{"type": "input_audio_buffer.append", ', 'invalid_json', null],
    ['a JSON array', '[1,2,3]', 'invalid_event', null],
    ['no type', { audio: '' }, 'missing_required_parameter', 'type'],
    ['an unknown event type', { type: 'response.create' }, 'invalid_value', 'type'],
    ['an unknown top-level field', { type: 'input_audio_buffer.commit', foo: 1 }, 'unknown_parameter', 'foo'],
    ['a wrong audio format (beta)', { type: 'transcription_session.update', session: { input_audio_format: 'mp3' } }, 'invalid_value', 'session.input_audio_format'],
    ['a wrong audio format (GA)', { type: 'session.update', session: { type: 'transcription', audio: { input: { format: { type: 'audio/pcm', rate: 16000 } } } } }, 'invalid_value', 'session.audio.input.format.rate'],
    ['an unknown session field', { type: 'session.update', session: { type: 'transcription', voice: 'alloy' } }, 'unknown_parameter', 'session.voice'],
    ['a conversation session', { type: 'session.update', session: { type: 'realtime' } }, 'invalid_value', 'session.type'],
    ['an unknown model', { type: 'session.update', session: { type: 'transcription', audio: { input: { transcription: { model: 'nope' } } } } }, 'model_not_found', 'session.audio.input.transcription.model'],
    ['a language the .en model cannot do', { type: 'transcription_session.update', session: { input_audio_transcription: { model: 'tiny.en', language: 'de' } } }, 'unsupported_language', 'session.input_audio_transcription.language'],
    ['an unknown language', { type: 'transcription_session.update', session: { input_audio_transcription: { model: 'base', language: 'xx' } } }, 'invalid_value', 'session.input_audio_transcription.language'],
    ['a threshold above 1', { type: 'session.update', session: { type: 'transcription', audio: { input: { turn_detection: { type: 'server_vad', threshold: 2 } } } } }, 'invalid_value', 'session.audio.input.turn_detection.threshold'],
    ['audio that is not base64', { type: 'input_audio_buffer.append', audio: 'not base64!' }, 'invalid_value', 'audio'],
    ['audio that is not a string', { type: 'input_audio_buffer.append', audio: 42 }, 'invalid_type', 'audio'],
    ['an oversized append', { type: 'input_audio_buffer.append', audio: b64(96_003) }, 'audio_too_large', 'audio'],
    ['a commit of an empty buffer', { type: 'input_audio_buffer.commit' }, 'input_audio_buffer_commit_empty', null],
    ['a wrong delay (GA)', { type: 'session.update', session: { type: 'transcription', audio: { input: { transcription: { delay: 'instant' } } } } }, 'invalid_value', 'session.audio.input.transcription.delay'],
    ['a wrong delay (beta)', { type: 'transcription_session.update', session: { input_audio_transcription: { delay: 3 } } }, 'invalid_value', 'session.input_audio_transcription.delay'],
    ['a wrong noise_reduction (GA)', { type: 'session.update', session: { type: 'transcription', audio: { input: { noise_reduction: { type: 'studio' } } } } }, 'invalid_value', 'session.audio.input.noise_reduction.type'],
    ['a wrong input_audio_noise_reduction (beta)', { type: 'transcription_session.update', session: { input_audio_noise_reduction: 'near_field' } }, 'invalid_value', 'session.input_audio_noise_reduction'],
    ['a wrong include', { type: 'session.update', session: { type: 'transcription', include: ['item.input_audio_transcription.words'] } }, 'invalid_value', 'session.include.0'],
  ];

  it.each(corpus)('%s → error %s', async (_name, event, code, param) => {
    const c = await connect();
    await c.next('session.created');
    c.send(typeof event === 'string' ? event : { ...event, event_id: 'evt_client_1' });
    const err = await c.next('error');
    expect(err.error).toMatchObject({ code, param, type: expect.any(String), message: expect.any(String) });
    if (typeof event !== 'string' && code !== 'invalid_event') expect(err.error.event_id).toBe('evt_client_1');
    // Still open and still usable.
    c.send(manual);
    expect((await c.next('session.updated')).session.audio.input.turn_detection).toBeNull();
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    await c.close();
  });

  it('a binary frame is an error event too', async () => {
    const c = await connect();
    await c.next('session.created');
    c.ws.send(Buffer.from([1, 2, 3]));
    expect((await c.next('error')).error.code).toBe('invalid_event');
    c.send({ type: 'input_audio_buffer.clear' });
    await c.next('input_audio_buffer.cleared');
    await c.close();
  });

  it('a frame above the WebSocket payload limit closes with 1009 (the one case ws cannot keep open)', async () => {
    const c = await connect();
    await c.next('session.created');
    const closed = new Promise<number>((r) => c.ws.once('close', (code: number) => r(code)));
    c.send({ type: 'input_audio_buffer.append', audio: b64(300_000) });
    expect(await closed).toBe(1009);
  });
});

describe('GET /v1/realtime: turns', () => {
  it('streams a manual turn: deltas, committed, completed with their concatenation', async () => {
    const c = await connect();
    await c.next('session.created');
    c.send(manual);
    await c.next('session.updated');
    const audio = pcm16(2, true);
    c.appendAudio(audio);
    c.send({ type: 'input_audio_buffer.commit' });
    const committed = await c.next('input_audio_buffer.committed');
    const completed = await c.next('conversation.item.input_audio_transcription.completed');
    expect(completed).toMatchObject({ item_id: committed.item_id, transcript: 'Hello there. General Kenobi.', usage: { type: 'duration', seconds: 2 } });
    const deltas = c.events.filter((e) => e.type === 'conversation.item.input_audio_transcription.delta');
    expect(deltas.map((d) => d.delta).join('')).toBe(completed.transcript);
    // Greedy, the final decode too, whatever BEAM_SIZE (5 here) says; a window sized to the turn.
    expect(pool.params.at(-1)).toMatchObject({ wordTimestamps: true, beamSize: 1, audioCtx: expect.any(Number) });
    await c.close();
  });

  it('partial decodes make one pass without the temperature fallback; the final decode keeps it', async () => {
    const c = await connect();
    await c.next('session.created');
    c.send(manual);
    await c.next('session.updated');
    // 0.3 s is under the first partial's 0.5 s: the commit's decode is the only one, and a final.
    let before = pool.params.length;
    const short = pcm16(0.3, true);
    c.appendAudio(short);
    c.send({ type: 'input_audio_buffer.commit' });
    await c.next('conversation.item.input_audio_transcription.completed');
    expect(pool.params.slice(before)).toHaveLength(1);
    expect(pool.params.at(-1)).not.toHaveProperty('fallback');
    await c.close();
    // 3 s in a new session (the fake's words would repeat the first turn's, and a turn's head drops
    // a repeat of the earlier turns): partials on the way, each with fallback: false.
    const d = await connect();
    await d.next('session.created');
    d.send(manual);
    await d.next('session.updated');
    before = pool.params.length;
    const audio = pcm16(3, true);
    d.appendAudio(audio);
    await d.next('conversation.item.input_audio_transcription.delta');
    const partials = pool.params.slice(before);
    expect(partials.length).toBeGreaterThan(0);
    for (const p of partials) expect(p).toMatchObject({ fallback: false });
    await d.close();
  });

  it('include logprobs, noise_reduction and delay: accepted, echoed, and logprobs on every delta and on completed', async () => {
    const c = await connect();
    await c.next('session.created');
    c.send({
      type: 'session.update',
      session: { type: 'transcription', include: ['item.input_audio_transcription.logprobs'], audio: { input: { turn_detection: null, noise_reduction: { type: 'far_field' }, transcription: { delay: 'low' } } } },
    });
    const updated = await c.next('session.updated');
    expect(updated.session).toMatchObject({ include: ['item.input_audio_transcription.logprobs'], audio: { input: { noise_reduction: { type: 'far_field' }, transcription: { delay: 'low' } } } });
    const audio = pcm16(2, true);
    c.appendAudio(audio);
    c.send({ type: 'input_audio_buffer.commit' });
    const completed = await c.next('conversation.item.input_audio_transcription.completed');
    const deltas = c.events.filter((e) => e.type === 'conversation.item.input_audio_transcription.delta');
    for (const d of deltas) expect(d.logprobs.map((l: Ev) => l.token).join('')).toBe(d.delta);
    expect(completed.logprobs.map((l: Ev) => l.token).join('')).toBe(completed.transcript);
    for (const l of completed.logprobs) {
      expect(l.bytes).toEqual([...Buffer.from(l.token)]);
      expect(l.logprob).toBeCloseTo(Math.log(0.9), 5); // the fake engine's word probability
    }
    await c.close();
  });

  it('server_vad (fake VAD): speech_started, speech_stopped, committed, completed', async () => {
    const c = await connect();
    expect((await c.next('session.created')).session.audio.input.turn_detection.type).toBe('server_vad');
    const audio = Buffer.concat([pcm16(0.5, false), pcm16(1.5, true), pcm16(1, false)]);
    c.appendAudio(audio);
    const started = await c.next('input_audio_buffer.speech_started');
    const stopped = await c.next('input_audio_buffer.speech_stopped');
    expect(started.audio_start_ms).toBeLessThanOrEqual(250);
    expect(stopped.audio_end_ms).toBeGreaterThanOrEqual(1950);
    const completed = await c.next('conversation.item.input_audio_transcription.completed');
    expect(completed.item_id).toBe(started.item_id);
    await c.close();
  });

  it('a client that vanishes mid-turn has its decode aborted and its session freed', async () => {
    pool.script.segmentDelayMs = 2000;
    try {
      const c = await connect();
      await c.next('session.created');
      c.send(manual);
      await c.next('session.updated');
      c.send({ type: 'input_audio_buffer.append', audio: pcm16(1.5, true).toString('base64') }); // the first partial runs at 1 s
      await expect.poll(() => pool.stats().find((s) => s.model === 'tiny.en')?.inFlight).toBe(1);
      c.ws.terminate();
      await expect.poll(() => pool.stats().find((s) => s.model === 'tiny.en')?.inFlight, { timeout: 1500 }).toBe(0);
      await expect.poll(() => app.services.realtime.sessions()).toEqual({});
    } finally {
      pool.script.segmentDelayMs = 0;
    }
  });

  it('caps sessions per model: the fourth gets session_limit_reached and close 1013', async () => {
    const open = await Promise.all([connect(), connect(), connect()]);
    const fourth = await connect();
    const closed = new Promise<number>((r) => fourth.ws.once('close', (code: number) => r(code)));
    expect((await fourth.next('error')).error.code).toBe('session_limit_reached');
    expect(await closed).toBe(1013);
    const text = await (await fetch(`${base.replace('ws', 'http')}/metrics`)).text();
    expect(text).toMatch(/whisper_realtime_sessions_open\{model="tiny.en"\} 3/);
    await Promise.all(open.map((c) => c.close()));
  });
});

describe('GET /v1/realtime: a client that goes silent', () => {
  it('gets an idle_timeout error event, then a normal close', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', MODELS_DIR: path.join(root, 'models'), TMP_DIR: root, REALTIME_IDLE_TIMEOUT_SECONDS: '0.3' });
    const idleApp = await buildApp(config, { pool: fakePool(), decoder: fakeDecoder() });
    const url = (await idleApp.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
    try {
      const ws = new WebSocket(`${url}/v1/realtime?intent=transcription`);
      const events: Ev[] = [];
      ws.on('message', (d: Buffer) => events.push(JSON.parse(d.toString())));
      const code = await new Promise<number>((r) => ws.once('close', (c: number) => r(c)));
      expect(code).toBe(1000);
      expect(events.map((e) => e.type)).toEqual(['session.created', 'error']);
      expect(events[1].error.code).toBe('idle_timeout');
      expect(idleApp.services.realtime.sessions()).toEqual({});
    } finally {
      await idleApp.close();
    }
  });
});
