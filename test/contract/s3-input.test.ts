import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ApiError } from '../../src/errors.js';
import { createBlobStore } from '../../src/storage/index.js';
import { createS3Client } from '../../src/storage/s3-client.js';
import { isS3Url, openS3Input, parseS3Url } from '../../src/storage/s3-input.js';
import { startMoto, type MotoServer } from '../support/moto.js';

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('s3:// inputs and the storage factory (moto server)', () => {
  let moto: MotoServer;
  let client: ReturnType<typeof createS3Client>;
  beforeAll(async () => {
    moto = await startMoto();
    await moto.createBucket('inputs');
    await moto.createBucket('private');
    client = createS3Client({ S3_ENDPOINT: moto.endpoint, S3_FORCE_PATH_STYLE: true });
    await client.send(new PutObjectCommand({ Bucket: 'inputs', Key: 'calls/a b.wav', Body: Buffer.alloc(1000, 7), ContentType: 'audio/wav' }));
    await client.send(new PutObjectCommand({ Bucket: 'private', Key: 'secret.wav', Body: Buffer.alloc(10) }));
  });
  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it('parses s3 URLs and refuses malformed ones with an OpenAI-shaped 400 naming the param', () => {
    expect(isS3Url('S3://b/k')).toBe(true);
    expect(isS3Url('https://b/k')).toBe(false);
    expect(parseS3Url('s3://inputs/calls/a%20b.wav')).toEqual({ bucket: 'inputs', key: 'calls/a b.wav' });
    for (const bad of ['s3://', 's3://inputs', 's3://inputs/', 's3://Bad_Bucket/k', 's3://ab/k', 's3://inputs/a//b', 's3://inputs/../x', 's3://inputs/k?versionId=1', 's3://in puts/k', 's3://inputs/%E0%A4', 's3://inputs/a%zz']) {
      let err: unknown;
      try {
        parseS3Url(bad, 'input');
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ApiError);
      expect((err as ApiError).toBody(), bad).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: 'input', code: 'invalid_url' } });
    }
  });

  it('streams an allow-listed object with its size and type', async () => {
    const got = await openS3Input('s3://inputs/calls/a%20b.wav', { client, allowedBuckets: ['inputs'], maxBytes: 10_000 });
    expect(got).toMatchObject({ bytes: 1000, contentType: 'audio/wav' });
    expect(await readAll(got.body)).toEqual(Buffer.alloc(1000, 7));
  });

  it('refuses other buckets, missing objects, oversized objects, and s3 without STORAGE=s3', async () => {
    const base = { client, allowedBuckets: ['inputs'], maxBytes: 10_000 };
    const cases: [string, Partial<typeof base>, number, string][] = [
      ['s3://private/secret.wav', {}, 400, 'bucket_not_allowed'],
      ['s3://inputs/missing.wav', {}, 400, 'input_not_found'],
      ['s3://inputs/calls/a%20b.wav', { maxBytes: 999 }, 413, 'file_too_large'],
      ['s3://inputs/calls/a%20b.wav', { client: undefined }, 400, 'unsupported_url'],
      ['s3://inputs/calls/a%20b.wav', { allowedBuckets: [] }, 400, 'bucket_not_allowed'],
    ];
    for (const [url, over, status, code] of cases) {
      await expect(openS3Input(url, { ...base, ...over }), url).rejects.toMatchObject({ status, code, param: 'audio_url' });
    }
  });

  it('createBlobStore picks fs or s3 from config', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'factory-'));
    try {
      const fs = await createBlobStore(loadConfig({}), root);
      expect(fs.blobs.kind).toBe('fs');
      expect(fs.s3).toBeUndefined();
      await moto.createBucket('factory');
      const config = loadConfig({ STORAGE: 's3', S3_BUCKET: 'factory', S3_PREFIX: 'p/', S3_ENDPOINT: moto.endpoint, S3_FORCE_PATH_STYLE: 'true' });
      const s3 = await createBlobStore(config, root);
      expect(s3.blobs.kind).toBe('s3');
      await s3.blobs.put('jobs/x/input', Readable.from([Buffer.from('hello')]));
      const raw = await client.send(new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: 'factory', Key: 'p/jobs/x/input' }));
      expect(await raw.Body!.transformToString()).toBe('hello');
      await s3.blobs.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
