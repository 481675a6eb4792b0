/**
 * s3:// as a job's audio_url, end to end through the app (fake pool and decoder, real SQLite store,
 * S3 BlobStore) against moto's S3 server: the submit checks the object by HEAD (allow-list,
 * existence, size) and refuses with an OpenAI-shaped 4xx; an accepted job's worker copies the
 * object into the job's input blob and completes with the same bytes as a synchronous call.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createS3Client } from '../../src/storage/s3-client.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';
import { fakeAudio } from './helpers/fakes.js';

let moto: MotoServer;
let t: TestApp;
let s3: ReturnType<typeof createS3Client>;

beforeAll(async () => {
  moto = await startMoto();
  for (const b of ['audio-in', 'jobs-store', 'elsewhere']) await moto.createBucket(b);
  s3 = createS3Client({ S3_ENDPOINT: moto.endpoint, S3_FORCE_PATH_STYLE: true });
  for (const bucket of ['audio-in', 'elsewhere']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'calls/a b.wav', Body: fakeAudio(3) }));
  await s3.send(new PutObjectCommand({ Bucket: 'audio-in', Key: 'calls/big.wav', Body: Buffer.alloc(4096, 1) }));
  t = await makeTestApp({
    STORAGE: 's3', S3_BUCKET: 'jobs-store', S3_ENDPOINT: moto.endpoint, S3_FORCE_PATH_STYLE: 'true',
    S3_INPUT_BUCKETS: 'audio-in', ASYNC_MAX_UPLOAD_BYTES: '1024', JOB_LEASE_SECONDS: '1',
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
  s3?.destroy();
  await moto?.stop();
});

async function submit(audio_url: string) {
  const mp = await multipart({ model: 'whisper-1', audio_url, response_format: 'verbose_json' });
  return t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, prefer: 'respond-async' } });
}

async function terminal(id: string, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const j = (await t.app.inject({ url: `/v1/audio/jobs/${id}` })).json();
    if (['completed', 'failed', 'cancelled'].includes(j.status)) return j;
    if (Date.now() > end) throw new Error(`job ${id} stuck: ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('runs a job whose audio_url is s3://bucket/key in an allow-listed bucket', async () => {
  const res = await submit('s3://audio-in/calls/a%20b.wav');
  expect(res.statusCode, res.body).toBe(202);
  const done = await terminal(res.json().id);
  expect(done, JSON.stringify(done)).toMatchObject({ status: 'completed', audio_seconds: 3, error: null });
  const result = await t.app.inject({ url: `/v1/audio/jobs/${done.id}/result` });
  const mp = await multipart({ model: 'whisper-1', file: audioFile(3), response_format: 'verbose_json' });
  const sync = await t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', ...mp });
  expect(result.statusCode).toBe(200);
  expect(result.json()).toEqual(sync.json());
  // The worker copied the object, byte for byte, into the job's own input blob in the store's bucket.
  const input = await s3.send(new GetObjectCommand({ Bucket: 'jobs-store', Key: `${t.config.S3_PREFIX}jobs/${done.id}/input` }));
  expect(Buffer.from(await input.Body!.transformToByteArray())).toEqual(fakeAudio(3));
});

it.each([
  ['s3://elsewhere/calls/a%20b.wav', 400, 'bucket_not_allowed'],
  ['s3://audio-in/calls/missing.wav', 400, 'input_not_found'],
  ['s3://audio-in/', 400, 'invalid_url'],
  ['s3://audio-in/calls/big.wav', 413, 'file_too_large'],
])('refuses %s at submit (%i %s) and creates no job', async (url, status, code) => {
  const before = (await t.app.inject({ url: '/v1/audio/jobs?limit=100' })).json().data.length;
  const res = await submit(url);
  expect(res.statusCode, res.body).toBe(status);
  expect(expectOpenAIError(res.json())).toMatchObject({ code, param: 'audio_url', type: 'invalid_request_error' });
  expect((await t.app.inject({ url: '/v1/audio/jobs?limit=100' })).json().data.length).toBe(before);
});

it('refuses s3:// without STORAGE=s3 (no S3 client on this server)', async () => {
  const fsApp = await makeTestApp({ S3_INPUT_BUCKETS: 'audio-in' });
  try {
    const mp = await multipart({ model: 'whisper-1', audio_url: 's3://audio-in/calls/a%20b.wav' });
    const res = await fsApp.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, prefer: 'respond-async' } });
    expect(res.statusCode).toBe(400);
    expect(expectOpenAIError(res.json())).toMatchObject({ code: 'unsupported_url', param: 'audio_url' });
  } finally {
    await fsApp.close();
  }
});
