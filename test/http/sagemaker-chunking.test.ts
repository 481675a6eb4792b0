/**
 * chunking_strategy on /invocations: in the JSON body ('auto' or the server_vad object) or as a
 * custom attribute (`chunking_strategy=auto`), validated by the audio route's own schema and mapped
 * as the synchronous route maps it, so the VAD settings used are the same. Fake pool, decoder and VAD
 * (VAD_FILTER=off, so 'auto' is told apart from an absent field).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AUTO_VAD, SERVER_VAD_DEFAULTS } from '../../src/services/transcription.js';
import { fakeVad } from '../support/fake-vad.js';
import { expectOpenAIError, makeTestApp, type TestApp } from './helpers/app.js';
import { fakeAudio, vadSettingsUsed, type FakePool } from './helpers/fakes.js';

let t: TestApp;
let app: FastifyInstance;
let pool: FakePool;
const vad = fakeVad();

beforeAll(async () => {
  t = await makeTestApp({ VAD_FILTER: 'off' }, {}, { vad });
  ({ app, pool } = t);
});
afterAll(() => t?.close());

const audio_b64 = fakeAudio(3).toString('base64');
const invokeJson = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/invocations', payload: JSON.stringify({ audio_b64, ...body }), headers: { 'content-type': 'application/json', ...headers } });

async function vadOf(request: Promise<Awaited<ReturnType<typeof invokeJson>>>) {
  const detectedBefore = vad.detected.length;
  const res = await request;
  expect(res.statusCode, res.body).toBe(200);
  return vadSettingsUsed(pool, vad, detectedBefore);
}

it.each<[string, Record<string, unknown>, unknown]>([
  ['absent: the server default (VAD_FILTER=off)', {}, undefined],
  ["'auto': the server's VAD settings", { chunking_strategy: 'auto' }, AUTO_VAD],
  [
    'server_vad with the client settings',
    { chunking_strategy: { type: 'server_vad', threshold: 0.3, prefix_padding_ms: 80, silence_duration_ms: 900 } },
    { threshold: 0.3, prefixPaddingMs: 80, silenceDurationMs: 900, minSpeechMs: SERVER_VAD_DEFAULTS.minSpeechMs },
  ],
  ["server_vad alone: OpenAI's defaults", { chunking_strategy: { type: 'server_vad' } }, SERVER_VAD_DEFAULTS],
])('JSON %s reaches the VAD', async (_name, body, expected) => {
  expect(await vadOf(invokeJson(body))).toEqual(expected);
});

it('takes chunking_strategy=auto from X-Amzn-SageMaker-Custom-Attributes, on raw audio too', async () => {
  expect(await vadOf(invokeJson({}, { 'x-amzn-sagemaker-custom-attributes': 'chunking_strategy=auto' }))).toEqual(AUTO_VAD);
  const raw = app.inject({ method: 'POST', url: '/invocations', payload: fakeAudio(3), headers: { 'content-type': 'audio/wav', 'x-amzn-sagemaker-custom-attributes': 'chunking_strategy=auto' } });
  expect(await vadOf(raw)).toEqual(AUTO_VAD);
});

it.each<[string, Record<string, unknown>, Record<string, string>]>([
  ['an unknown type', { chunking_strategy: { type: 'semantic' } }, {}],
  ['a threshold above 1', { chunking_strategy: { type: 'server_vad', threshold: 1.5 } }, {}],
  ['a negative threshold', { chunking_strategy: { type: 'server_vad', threshold: -0.1 } }, {}],
  ['a fractional padding', { chunking_strategy: { type: 'server_vad', prefix_padding_ms: 1.5 } }, {}],
  ['a string other than auto', { chunking_strategy: 'manual' }, {}],
  ['server_vad as an attribute (objects go in the JSON body)', {}, { 'x-amzn-sagemaker-custom-attributes': 'chunking_strategy=server_vad' }],
  ['the field in both places', { chunking_strategy: 'auto' }, { 'x-amzn-sagemaker-custom-attributes': 'chunking_strategy=auto' }],
])('refuses %s with an OpenAI-shaped 400 naming chunking_strategy, before any work', async (_name, body, headers) => {
  const before = pool.params.length;
  const res = await invokeJson(body, headers);
  expect(res.statusCode, res.body).toBe(400);
  expect(expectOpenAIError(res.json())).toMatchObject({ type: 'invalid_request_error', param: 'chunking_strategy' });
  expect(pool.params.length).toBe(before);
});
