/**
 * The real `openai` npm client driving the async jobs API against the real server (tiny.en):
 * `audio.transcriptions.create(..., { headers: { Prefer: 'respond-async' } })` as the issue
 * promises, then the client's generic get/post for the job routes the SDK has no resource for.
 */
import fs from 'node:fs';
import OpenAI, { BadRequestError, ConflictError, NotFoundError } from 'openai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { audio, normalize, requireWeights, startServer, waitFor, type RunningServer } from './helpers/server.js';

const KEY = 'sk-jobs-node';
const JFK = 'and so my fellow americans ask not what your country can do for you ask what you can do for your country';
let server: RunningServer;
let client: OpenAI;

interface Job { id: string; object: string; status: string; progress: number; audio_seconds: number | null; metadata: Record<string, string>; attempts: number }

beforeAll(async () => {
  requireWeights('tiny.en');
  server = await startServer({ API_KEYS: KEY, PRELOAD_MODELS: 'tiny.en' });
  client = new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 120_000 });
}, 120_000);
afterAll(async () => {
  expect(await server?.leftovers()).toEqual([]);
  await server?.stop();
});

const terminal = async (id: string): Promise<Job> => {
  let job!: Job;
  await waitFor(async () => {
    job = await client.get<Job>(`/audio/jobs/${id}`);
    return ['completed', 'failed', 'cancelled'].includes(job.status);
  }, 120_000);
  return job;
};

test('transcriptions.create with the Prefer header: 202, Location, the job; then the result', async () => {
  const { data, response } = await client.audio.transcriptions
    .create({ file: fs.createReadStream(audio('jfk.wav')), model: 'tiny.en' }, { headers: { Prefer: 'respond-async' } })
    .withResponse();
  const job = data as unknown as Job;
  expect(response.status).toBe(202);
  expect(response.headers.get('location')).toBe(`/v1/audio/jobs/${job.id}`);
  expect(response.headers.get('preference-applied')).toBe('respond-async');
  expect(job).toMatchObject({ object: 'audio.job', status: expect.stringMatching(/queued|processing/) });
  // Probed at submit: the backlog knows the clip's length before the worker decodes it.
  expect(job.audio_seconds).toBeCloseTo(11, 0);
  const done = await terminal(job.id);
  expect(done).toMatchObject({ status: 'completed', progress: 1, attempts: 1 });
  const result = await client.get<{ text: string }>(`/audio/jobs/${job.id}/result`);
  expect(normalize(result.text)).toBe(JFK);
});

test('generic post with FormData and Idempotency-Key: a retry returns the same job; vtt result; list; delete', async () => {
  const form = () => {
    const fd = new FormData();
    fd.append('file', new Blob([fs.readFileSync(audio('jfk.mp3'))], { type: 'audio/mpeg' }), 'jfk.mp3');
    fd.append('model', 'tiny.en');
    fd.append('response_format', 'vtt');
    fd.append('metadata[source]', 'node');
    return fd;
  };
  const headers = { Prefer: 'respond-async', 'Idempotency-Key': 'node-jobs-1' };
  const a = await client.post<Job>('/audio/transcriptions', { body: form(), headers });
  const b = await client.post<Job>('/audio/transcriptions', { body: form(), headers });
  expect(b.id).toBe(a.id);
  expect(a.metadata).toEqual({ source: 'node' });
  expect((await terminal(a.id)).status).toBe('completed');
  const vtt = await client.get<string>(`/audio/jobs/${a.id}/result`);
  expect(vtt).toMatch(/^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> /);
  const page = await client.get<{ object: string; data: Job[] }>('/audio/jobs', { query: { limit: 10, status: 'completed' } });
  expect(page.object).toBe('list');
  expect(page.data.map((j) => j.id)).toContain(a.id);
  await expect(client.post(`/audio/jobs/${a.id}/cancel`)).rejects.toBeInstanceOf(ConflictError);
  expect(await client.delete(`/audio/jobs/${a.id}`)).toEqual({ id: a.id, object: 'audio.job.deleted', deleted: true });
  await expect(client.get(`/audio/jobs/${a.id}`)).rejects.toBeInstanceOf(NotFoundError);
});

test('bad submits raise the SDK typed errors', async () => {
  const fd = new FormData();
  fd.append('model', 'tiny.en');
  fd.append('audio_url', 'http://127.0.0.1/private.wav');
  await expect(client.post('/audio/transcriptions', { body: fd, headers: { Prefer: 'respond-async' } })).rejects.toBeInstanceOf(BadRequestError);
  const garbage = new FormData();
  garbage.append('model', 'tiny.en');
  garbage.append('file', new Blob([Buffer.from('not audio')]), 'x.wav');
  // Probed at submit: refused at once, not a failed job later.
  await expect(client.post('/audio/transcriptions', { body: garbage, headers: { Prefer: 'respond-async' } })).rejects.toBeInstanceOf(BadRequestError);
});
