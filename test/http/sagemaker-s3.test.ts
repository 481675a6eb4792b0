/**
 * /invocations with `audio_url: s3://…` (what a SageMaker user points at instead of inlining
 * large audio), against moto's S3 server: read with the server's own credentials from an
 * allow-listed bucket; other buckets and missing objects are OpenAI-shaped 400s.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createS3Client } from '../../src/storage/s3-client.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { fakeAudio } from './helpers/fakes.js';
import { expectOpenAIError, makeTestApp, type TestApp } from './helpers/app.js';

let moto: MotoServer;
let t: TestApp;

beforeAll(async () => {
  moto = await startMoto();
  for (const b of ['audio-in', 'jobs-store', 'elsewhere']) await moto.createBucket(b);
  const s3 = createS3Client({ S3_ENDPOINT: moto.endpoint, S3_FORCE_PATH_STYLE: true });
  for (const bucket of ['audio-in', 'elsewhere']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'calls/a b.wav', Body: fakeAudio(3) }));
  t = await makeTestApp({ STORAGE: 's3', S3_BUCKET: 'jobs-store', S3_ENDPOINT: moto.endpoint, S3_FORCE_PATH_STYLE: 'true', S3_INPUT_BUCKETS: 'audio-in' });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await moto?.stop();
});

const invoke = (audio_url: string) =>
  t.app.inject({ method: 'POST', url: '/invocations', payload: JSON.stringify({ audio_url }), headers: { 'content-type': 'application/json' } });

it('reads s3://bucket/key from an allow-listed bucket', async () => {
  const res = await invoke('s3://audio-in/calls/a%20b.wav');
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().usage.seconds).toBe(3);
  expect(await t.leftovers()).toEqual([]);
});

it.each([
  ['s3://elsewhere/calls/a%20b.wav', 'bucket_not_allowed'],
  ['s3://audio-in/calls/missing.wav', 'input_not_found'],
  ['s3://audio-in/', 'invalid_url'],
])('%s → 400 %s', async (url, code) => {
  const res = await invoke(url);
  expect(res.statusCode).toBe(400);
  expect(expectOpenAIError(res.json())).toMatchObject({ code, param: 'audio_url' });
  expect(await t.leftovers()).toEqual([]);
});
