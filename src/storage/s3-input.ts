/**
 * `s3://bucket/key` as a job's `audio_url` or an /invocations input. Only with STORAGE=s3 (the
 * server's own credentials read it) and only from buckets in S3_INPUT_BUCKETS: without the
 * allow-list a caller could make the server read any bucket its role can see.
 */
import type { Readable } from 'node:stream';
import type { BlobStore } from './blob-store.js';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApiError, errors } from '../errors.js';
import { ByteCounter } from './byte-limit.js';
import { isNotFound } from './s3-client.js';

export interface S3Location {
  bucket: string;
  key: string;
}

// Bucket naming rules (3–63 chars, lowercase, digits, dots, hyphens), so nothing odd reaches the SDK.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const isS3Url = (raw: string): boolean => /^s3:\/\//i.test(raw);

/** Parses `s3://bucket/key`; throws a 400 naming `param` when it is malformed. */
export function parseS3Url(raw: string, param = 'audio_url'): S3Location {
  const m = /^s3:\/\/([^/?#]+)\/([^?#]+)$/i.exec(raw);
  const bucket = m?.[1];
  const key = m?.[2];
  if (!bucket || !key || !BUCKET.test(bucket) || key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw errors.invalidRequest(`'${param}' must be s3://bucket/key with a valid bucket name and key.`, param, 'invalid_url');
  }
  try {
    return { bucket, key: decodeURIComponent(key) };
  } catch {
    // A stray or truncated %-escape (s3://b/%E0%A4): the caller's mistake, not a 500.
    throw errors.invalidRequest(`'${param}' has a malformed %-escape in its key.`, param, 'invalid_url');
  }
}

export interface S3InputOptions {
  /** Undefined unless STORAGE=s3. */
  client?: S3Client;
  allowedBuckets: readonly string[];
  maxBytes: number;
  signal?: AbortSignal;
  param?: string;
}

/** The config checks every s3:// input passes before anything is sent to S3. */
function admit(raw: string, opts: S3InputOptions): S3Location & { client: S3Client; param: string } {
  const param = opts.param ?? 'audio_url';
  const loc = parseS3Url(raw, param);
  if (!opts.client) {
    throw errors.invalidRequest(`s3:// inputs need STORAGE=s3 on this server.`, param, 'unsupported_url');
  }
  if (!opts.allowedBuckets.includes(loc.bucket)) {
    throw errors.invalidRequest(`Bucket '${loc.bucket}' is not in this server's S3_INPUT_BUCKETS.`, param, 'bucket_not_allowed');
  }
  return { ...loc, client: opts.client, param };
}

/** S3's answers that are the caller's to fix become 4xx; anything else (S3 down) stays a 5xx. */
function readError(err: unknown, raw: string, param: string): unknown {
  if (isNotFound(err)) return errors.invalidRequest(`No object at '${raw}'.`, param, 'input_not_found');
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === 403) return errors.invalidRequest(`This server may not read '${raw}'.`, param, 'input_forbidden');
  return err;
}

const tooLarge = (raw: string, bytes: number, max: number, param: string) =>
  new ApiError(`The object at '${raw}' is ${bytes} bytes, over the limit of ${max}.`, {
    status: 413,
    type: 'invalid_request_error',
    code: 'file_too_large',
    param,
  });

/**
 * The checks at submit time, without reading the body (HEAD): allow-list, existence, access and
 * size. A job is refused with a 4xx at once rather than accepted and failed later.
 */
export async function checkS3Input(raw: string, opts: S3InputOptions): Promise<{ bytes: number; contentType?: string }> {
  const { client, bucket, key, param } = admit(raw, opts);
  let head;
  try {
    head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: opts.signal });
  } catch (err) {
    throw readError(err, raw, param);
  }
  const bytes = head.ContentLength ?? 0;
  if (bytes > opts.maxBytes) throw tooLarge(raw, bytes, opts.maxBytes, param);
  return { bytes, contentType: head.ContentType };
}

/** Checks the URL against config, then streams the object (never buffered), capped at maxBytes. */
export async function openS3Input(raw: string, opts: S3InputOptions): Promise<{ body: Readable; bytes: number; contentType?: string }> {
  const { client, bucket, key, param } = admit(raw, opts);
  let res;
  try {
    res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: opts.signal });
  } catch (err) {
    throw readError(err, raw, param);
  }
  const body = res.Body as Readable;
  const bytes = res.ContentLength ?? 0;
  if (bytes > opts.maxBytes) {
    body.destroy();
    throw tooLarge(raw, bytes, opts.maxBytes, param);
  }
  // The length header is the server's word; count anyway.
  const counter = new ByteCounter(opts.maxBytes);
  body.on('error', (err) => counter.destroy(err));
  return { body: body.pipe(counter), bytes, contentType: res.ContentType };
}

/**
 * Streams an allow-listed s3:// input into a BlobStore key (a job's input blob): the jobs'
 * fetch-input calls it for s3:// audio_url, as SageMaker's /invocations calls openS3Input. The
 * store writes atomically, so a refused or cut read leaves nothing under the key.
 */
export async function copyS3Input(
  raw: string,
  blobs: BlobStore,
  key: string,
  opts: S3InputOptions,
): Promise<{ bytes: number; contentType?: string }> {
  const { body, contentType } = await openS3Input(raw, opts);
  try {
    const info = await blobs.put(key, body, { contentType, signal: opts.signal, maxBytes: opts.maxBytes });
    return { bytes: info.bytes, contentType };
  } finally {
    body.destroy();
  }
}
