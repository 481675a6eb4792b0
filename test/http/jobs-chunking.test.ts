/**
 * chunking_strategy on async jobs (`Prefer: respond-async`): validated by the synchronous route's
 * own schema, stored on the job as sent, and mapped by the worker exactly as the synchronous route
 * maps it, so the VAD settings used are the same on both doors. Fake pool, decoder and VAD
 * (VAD_FILTER=off, so 'auto' is told apart from an absent field), real SQLite store.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AUTO_VAD, SERVER_VAD_DEFAULTS } from '../../src/services/transcription.js';
import { fakeVad } from '../support/fake-vad.js';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';
import { vadSettingsUsed, type FakePool } from './helpers/fakes.js';

let t: TestApp;
let app: FastifyInstance;
let pool: FakePool;
const vad = fakeVad();

beforeAll(async () => {
  t = await makeTestApp({ VAD_FILTER: 'off' }, {}, { vad });
  ({ app, pool } = t);
});
afterAll(() => t?.close());

const post = async (fields: Record<string, string>, async = true) => {
  const mp = await multipart({ model: 'tiny.en', file: audioFile(4), ...fields });
  return app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, ...(async ? { prefer: 'respond-async' } : {}) } });
};

async function vadOfJob(fields: Record<string, string>) {
  const detectedBefore = vad.detected.length;
  const res = await post(fields);
  expect(res.statusCode, res.body).toBe(202);
  const id = res.json().id as string;
  const end = Date.now() + 10_000;
  for (;;) {
    const job = (await app.inject({ url: `/v1/audio/jobs/${id}` })).json();
    if (job.status === 'completed') break;
    if (job.status !== 'queued' && job.status !== 'processing') throw new Error(`job ended ${JSON.stringify(job)}`);
    if (Date.now() > end) throw new Error(`job ${id} stuck`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return vadSettingsUsed(pool, vad, detectedBefore);
}

async function vadOfSync(fields: Record<string, string>) {
  const detectedBefore = vad.detected.length;
  const res = await post(fields, false);
  expect(res.statusCode, res.body).toBe(200);
  return vadSettingsUsed(pool, vad, detectedBefore);
}

it.each<[string, Record<string, string>, unknown]>([
  ['absent: the server default (VAD_FILTER=off)', {}, undefined],
  ["'auto': the server's VAD settings", { chunking_strategy: 'auto' }, AUTO_VAD],
  [
    'server_vad with the client settings',
    { 'chunking_strategy[type]': 'server_vad', 'chunking_strategy[threshold]': '0.7', 'chunking_strategy[prefix_padding_ms]': '120', 'chunking_strategy[silence_duration_ms]': '650' },
    { threshold: 0.7, prefixPaddingMs: 120, silenceDurationMs: 650, minSpeechMs: SERVER_VAD_DEFAULTS.minSpeechMs },
  ],
  ["server_vad alone: OpenAI's defaults", { 'chunking_strategy[type]': 'server_vad' }, SERVER_VAD_DEFAULTS],
])('%s reaches the VAD, as on the synchronous route', async (_name, fields, expected) => {
  const fromJob = await vadOfJob(fields);
  expect(fromJob).toEqual(expected);
  expect(await vadOfSync(fields)).toEqual(fromJob);
});

it.each<[string, Record<string, string>]>([
  ['an unknown type', { 'chunking_strategy[type]': 'semantic' }],
  ['a threshold above 1', { 'chunking_strategy[type]': 'server_vad', 'chunking_strategy[threshold]': '1.5' }],
  ['a negative threshold', { 'chunking_strategy[type]': 'server_vad', 'chunking_strategy[threshold]': '-0.1' }],
  ['a negative silence', { 'chunking_strategy[type]': 'server_vad', 'chunking_strategy[silence_duration_ms]': '-5' }],
  ['a string other than auto', { chunking_strategy: 'manual' }],
])('refuses %s with the same 400 as the synchronous route, and queues nothing', async (_name, fields) => {
  const before = (await app.inject({ url: '/v1/audio/jobs?limit=100' })).json().data.length;
  const res = await post(fields);
  const sync = await post(fields, false);
  expect(res.statusCode, res.body).toBe(400);
  expect(expectOpenAIError(res.json()).param).toMatch(/^chunking_strategy/);
  expect(res.json()).toEqual(sync.json());
  expect((await app.inject({ url: '/v1/audio/jobs?limit=100' })).json().data.length).toBe(before);
});
