/**
 * Fetches a job's audio_url into its input blob through the guarded client: 2xx only, a
 * Content-Length over the cap refused before reading, a body cut at the cap while streaming.
 * The BlobStore writes atomically, so a cut or failed fetch leaves nothing under the key.
 */
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { OutboundError } from '../net/errors.js';
import { limitBytes, type GuardedClient } from '../net/guarded-client.js';
import type { BlobStore } from '../storage/blob-store.js';
import { copyS3Input, isS3Url, type S3InputOptions } from '../storage/s3-input.js';

export async function fetchToBlob(
  client: GuardedClient,
  url: string,
  blobs: BlobStore,
  key: string,
  opts: { maxBytes: number; signal?: AbortSignal; s3?: Pick<S3InputOptions, 'client' | 'allowedBuckets'> },
): Promise<{ bytes: number; contentType?: string }> {
  // s3://bucket/key: read with the server's credentials, from S3_INPUT_BUCKETS only (refused without opts.s3).
  if (isS3Url(url)) return copyS3Input(url, blobs, key, { client: opts.s3?.client, allowedBuckets: opts.s3?.allowedBuckets ?? [], maxBytes: opts.maxBytes, signal: opts.signal });
  const res = await client.request(url, { method: 'GET', signal: opts.signal });
  if (res.status < 200 || res.status > 299) {
    res.body.resume();
    throw new OutboundError('http_error', `Fetching audio_url answered HTTP ${res.status}.`, res.status);
  }
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    res.body.destroy();
    throw new OutboundError('body_too_large', `audio_url is ${declared} bytes; the limit is ${opts.maxBytes}.`);
  }
  const body = new PassThrough();
  const piping = pipeline(res.body, limitBytes(opts.maxBytes), body);
  const contentType = res.headers['content-type']?.split(';')[0];
  try {
    const [info] = await Promise.all([blobs.put(key, body, { contentType, signal: opts.signal }), piping]);
    return { bytes: info.bytes, contentType };
  } catch (err) {
    res.body.destroy();
    // The stream's own error (the cap, a stall) says more than the store's "premature close".
    const cause = await piping.then(() => err, (e: unknown) => e);
    throw cause instanceof OutboundError ? cause : err;
  }
}
