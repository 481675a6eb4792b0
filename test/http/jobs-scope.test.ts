/**
 * Jobs belong to the API key that submitted them: with API_KEYS set, another valid key gets the
 * very 404 an unknown id gets on get, result, cancel and delete, and its lists never hold the job;
 * nothing it does changes the job. Without API_KEYS every caller shares one scope. Fake pool and
 * decoder, real SQLite store (the Redis store keeps the same contract: test/contract).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newJobId } from '../../src/jobs/ids.js';
import { audioFile, makeTestApp, multipart, type TestApp } from './helpers/app.js';

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const auth = (key?: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});

async function submit(key?: string, idempotencyKey?: string) {
  const mp = await multipart({ model: 'whisper-1', file: audioFile(4) });
  const res = await t.app.inject({
    method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload,
    headers: { ...mp.headers, prefer: 'respond-async', ...auth(key), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().id as string;
}

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, key?: string) => t.app.inject({ method, url, headers: auth(key) });
const listIds = async (key?: string, query = '') => (await call('GET', `/v1/audio/jobs?limit=100${query}`, key)).json().data.map((j: { id: string }) => j.id);

async function completed(id: string, key?: string) {
  const end = Date.now() + 10_000;
  for (;;) {
    const j = (await call('GET', `/v1/audio/jobs/${id}`, key)).json();
    if (j.status === 'completed') return j;
    if (Date.now() > end) throw new Error(`job ${id} stuck: ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What an unknown id answers, with the id swapped: the response to match, byte for byte. */
async function unknownLike(method: 'GET' | 'POST' | 'DELETE', suffix: string, id: string, key: string) {
  const ghost = newJobId();
  const res = await call(method, `/v1/audio/jobs/${ghost}${suffix}`, key);
  return { status: res.statusCode, body: res.body.replaceAll(ghost, id) };
}

describe('with API_KEYS', () => {
  it("another key gets an unknown id's 404 on get, result, cancel and delete, and never lists the job", async () => {
    t = await makeTestApp({ API_KEYS: 'key-a,key-b', JOB_LEASE_SECONDS: '1' });
    const id = await submit('key-a');
    await completed(id, 'key-a');
    for (const [method, suffix] of [['GET', ''], ['GET', '/result'], ['POST', '/cancel'], ['DELETE', '']] as const) {
      const res = await call(method, `/v1/audio/jobs/${id}${suffix}`, 'key-b');
      expect(res.statusCode, `${method} ${suffix}`).toBe(404);
      expect(res.json().error).toMatchObject({ code: 'job_not_found', param: 'job_id' });
      expect({ status: res.statusCode, body: res.body }).toEqual(await unknownLike(method, suffix, id, 'key-b'));
    }
    expect(await listIds('key-b')).toEqual([]);
    expect(await listIds('key-b', '&status=completed')).toEqual([]);
    // Its id as a cursor reveals nothing either.
    expect((await call('GET', `/v1/audio/jobs?after=${id}`, 'key-b')).json()).toMatchObject({ data: [], has_more: false });
    // The owner still has it, untouched by the other key's delete.
    expect((await call('GET', `/v1/audio/jobs/${id}/result`, 'key-a')).statusCode).toBe(200);
    expect(await listIds('key-a')).toEqual([id]);
    expect((await call('DELETE', `/v1/audio/jobs/${id}`, 'key-a')).json()).toMatchObject({ id, deleted: true });
    expect((await call('GET', `/v1/audio/jobs/${id}`, 'key-a')).statusCode).toBe(404);
  });

  it("lists each key's own jobs, and the same Idempotency-Key under two keys is two jobs", async () => {
    t = await makeTestApp({ API_KEYS: 'key-a,key-b', JOB_LEASE_SECONDS: '1' });
    const a1 = await submit('key-a', 'same');
    const b1 = await submit('key-b', 'same');
    const a2 = await submit('key-a');
    expect(b1).not.toBe(a1);
    expect(await submit('key-a', 'same')).toBe(a1);
    expect(await listIds('key-a')).toEqual([a2, a1]);
    expect(await listIds('key-b')).toEqual([b1]);
    // A running or queued job of another key cannot be cancelled by it.
    expect((await call('POST', `/v1/audio/jobs/${a2}/cancel`, 'key-b')).statusCode).toBe(404);
    expect((await completed(a2, 'key-a')).status).toBe('completed');
  });
});

describe('without API_KEYS', () => {
  it('every caller shares one scope, whatever Authorization it sends', async () => {
    t = await makeTestApp({ JOB_LEASE_SECONDS: '1' });
    const id = await submit();
    const other = await submit('anything');
    expect(await listIds('something-else')).toEqual([other, id]);
    expect((await call('GET', `/v1/audio/jobs/${id}`, 'anything')).statusCode).toBe(200);
    await completed(id);
    expect((await call('GET', `/v1/audio/jobs/${id}/result`)).statusCode).toBe(200);
  });
});
