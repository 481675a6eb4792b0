import { afterAll, beforeAll, expect, test } from 'vitest';
import { expectOpenAIError, makeTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ MODEL_ALIASES: 'multi=base,ghost=large-v3' });
});
afterAll(() => t.close());

test('GET /v1/models lists weights on disk and aliases whose target exists, in OpenAI shape', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/v1/models' });
  expect(res.statusCode).toBe(200);
  const body = res.json();
  expect(body.object).toBe('list');
  expect(body.data.map((m: { id: string }) => m.id).sort()).toEqual(['base', 'multi', 'tiny.en', 'whisper-1']);
  for (const m of body.data) {
    expect(Object.keys(m).sort()).toEqual(['created', 'id', 'object', 'owned_by']);
    expect(m.object).toBe('model');
    expect(Number.isInteger(m.created)).toBe(true);
  }
});

test('GET /v1/models/{id} for a model and for an alias', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/v1/models/tiny.en' });
  expect(res.json()).toMatchObject({ id: 'tiny.en', object: 'model', owned_by: 'local' });
  expect((await t.app.inject({ method: 'GET', url: '/v1/models/whisper-1' })).json().id).toBe('whisper-1');
});

test('unknown ids and dangling aliases are 404 model_not_found', async () => {
  for (const id of ['large-v9', 'ghost', '..%2Fetc']) {
    const res = await t.app.inject({ method: 'GET', url: `/v1/models/${id}` });
    expect(res.statusCode).toBe(404);
    expect(expectOpenAIError(res.json())).toMatchObject({ code: 'model_not_found', param: 'model' });
  }
});

test('the Silero VAD weights in MODELS_DIR are not a model', async () => {
  const ids = (await t.app.inject({ method: 'GET', url: '/v1/models' })).json().data.map((m: { id: string }) => m.id);
  expect(ids.some((id: string) => id.includes('silero'))).toBe(false);
  for (const id of ['silero-v6.2.0', 'ggml-silero-v6.2.0']) {
    expect((await t.app.inject({ method: 'GET', url: `/v1/models/${id}` })).statusCode).toBe(404);
  }
});
