/**
 * s3:// as a job's audio_url, on moto's S3 server: the submit-time check (checkS3Input, HEAD
 * only), and the worker's read into the job's input blob (fetchToBlob → copyS3Input) on both
 * BlobStores. The bad-input corpus (bucket not allowed, malformed URL or key, missing object,
 * too big, no STORAGE=s3) is refused with an OpenAI-shaped 4xx at submit, fails the job at once
 * (a permanent error, never retried) in the worker, and leaves nothing under the input key.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors.js';
import { classifyJobError } from '../../src/jobs/errors.js';
import { fetchToBlob } from '../../src/jobs/fetch-input.js';
import { PermanentJobError } from '../../src/jobs/types.js';
import { createGuardedClient } from '../../src/net/guarded-client.js';
import type { BlobStore } from '../../src/storage/blob-store.js';
import { openFsBlobStore } from '../../src/storage/fs-blob-store.js';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { createS3Client } from '../../src/storage/s3-client.js';
import { checkS3Input, copyS3Input } from '../../src/storage/s3-input.js';
import { startMoto, type MotoServer } from '../support/moto.js';

const WAV = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(2000, 3)]);

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** [url, options override, status, code]: every one a client mistake. */
type BadCase = [string, { maxBytes?: number; noClient?: boolean; allowed?: string[] }, number, string];
const BAD: BadCase[] = [
  ['s3://private/secret.wav', {}, 400, 'bucket_not_allowed'],
  ['s3://inputs/secret.wav', { allowed: [] }, 400, 'bucket_not_allowed'],
  ['s3://inputs/missing.wav', {}, 400, 'input_not_found'],
  ['s3://inputs/calls/missing/', {}, 400, 'invalid_url'],
  ['s3://inputs/a//b.wav', {}, 400, 'invalid_url'],
  ['s3://inputs/%E0%A4', {}, 400, 'invalid_url'],
  ['s3://Not_A_Bucket/x.wav', {}, 400, 'invalid_url'],
  ['s3://inputs', {}, 400, 'invalid_url'],
  ['s3://inputs/calls/a.wav', { maxBytes: WAV.length - 1 }, 413, 'file_too_large'],
  ['s3://inputs/calls/a.wav', { noClient: true }, 400, 'unsupported_url'],
];

describe('s3:// job inputs (moto server)', () => {
  let moto: MotoServer;
  let client: ReturnType<typeof createS3Client>;
  let root: string;
  const stores: [string, BlobStore][] = [];
  const guarded = createGuardedClient({ allowPrivate: false, maxRedirects: 0, timeoutMs: 1000 });

  beforeAll(async () => {
    moto = await startMoto();
    for (const b of ['inputs', 'private', 'blobs']) await moto.createBucket(b);
    client = createS3Client({ S3_ENDPOINT: moto.endpoint, S3_FORCE_PATH_STYLE: true });
    await client.send(new PutObjectCommand({ Bucket: 'inputs', Key: 'calls/a.wav', Body: WAV, ContentType: 'audio/wav' }));
    await client.send(new PutObjectCommand({ Bucket: 'private', Key: 'secret.wav', Body: WAV }));
    root = await mkdtemp(path.join(os.tmpdir(), 's3-job-input-'));
    stores.push(['fs', await openFsBlobStore(path.join(root, 'blobs'))]);
    stores.push(['s3', new S3BlobStore({ client, bucket: 'blobs', prefix: 'p/', tmpDir: root })]);
  });
  afterAll(async () => {
    for (const [, s] of stores) await s.close();
    client?.destroy();
    await moto?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const opts = (o: BadCase[1] = {}) => ({
    client: o.noClient ? undefined : client,
    allowedBuckets: o.allowed ?? ['inputs'],
    maxBytes: o.maxBytes ?? 10_000,
  });

  it('checks an allowed object at submit by HEAD: its size and type', async () => {
    expect(await checkS3Input('s3://inputs/calls/a.wav', opts())).toEqual({ bytes: WAV.length, contentType: 'audio/wav' });
  });

  it('refuses the bad-input corpus at submit with an OpenAI-shaped 4xx naming audio_url', async () => {
    for (const [url, o, status, code] of BAD) {
      const err = await checkS3Input(url, opts(o)).then(() => undefined, (e: unknown) => e);
      expect(err, url).toBeInstanceOf(ApiError);
      expect((err as ApiError).status, url).toBe(status);
      expect((err as ApiError).toBody(), url).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: 'audio_url', code } });
    }
  });

  for (const kind of ['fs', 's3']) {
    it(`the worker copies the object into the job's input blob (${kind} store), streamed and whole`, async () => {
      const blobs = stores.find(([k]) => k === kind)![1];
      const key = `jobs/job_${kind}/input`;
      const got = await fetchToBlob(guarded, 's3://inputs/calls/a.wav', blobs, key, { maxBytes: 10_000, s3: opts() });
      expect(got).toEqual({ bytes: WAV.length, contentType: 'audio/wav' });
      const blob = await blobs.get(key);
      expect(await readAll(blob!.body)).toEqual(WAV);
      // The same function, called directly, is what /invocations can reuse.
      const again = await copyS3Input('s3://inputs/calls/a.wav', blobs, `${key}-2`, opts());
      expect(again.bytes).toBe(WAV.length);
    });

    it(`the worker fails the job at once on the corpus and writes nothing (${kind} store)`, async () => {
      const blobs = stores.find(([k]) => k === kind)![1];
      for (const [i, [url, o, , code]] of BAD.entries()) {
        const key = `jobs/job_bad${i}/input`;
        const err = await fetchToBlob(guarded, url, blobs, key, { maxBytes: o.maxBytes ?? 10_000, s3: o.noClient ? undefined : opts(o) }).then(
          () => undefined,
          (e: unknown) => e,
        );
        const classified = classifyJobError(err);
        expect(classified, url).toBeInstanceOf(PermanentJobError);
        expect((classified as PermanentJobError).body, url).toMatchObject({ type: 'invalid_request_error', code, param: 'audio_url' });
        expect(await blobs.get(key), url).toBeUndefined();
      }
    });
  }
});
