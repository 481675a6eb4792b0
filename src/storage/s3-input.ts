/**
 * `s3://bucket/key` as a job's `audio_url` or an /invocations input. Only with STORAGE=s3 (the
 * server's own credentials read it) and only from buckets in S3_INPUT_BUCKETS: without the
 * allow-list a caller could make the server read any bucket its role can see.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
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
  return { bucket, key: decodeURIComponent(key) };
}

export interface S3InputOptions {
  /** Undefined unless STORAGE=s3. */
  client?: S3Client;
  allowedBuckets: readonly string[];
  maxBytes: number;
  signal?: AbortSignal;
  param?: string;
}

/** Checks the URL against config, then streams the object (never buffered), capped at maxBytes. */
export async function openS3Input(raw: string, opts: S3InputOptions): Promise<{ body: Readable; bytes: number; contentType?: string }> {
  const param = opts.param ?? 'audio_url';
  const { bucket, key } = parseS3Url(raw, param);
  if (!opts.client) {
    throw errors.invalidRequest(`s3:// inputs need STORAGE=s3 on this server.`, param, 'unsupported_url');
  }
  if (!opts.allowedBuckets.includes(bucket)) {
    throw errors.invalidRequest(`Bucket '${bucket}' is not in this server's S3_INPUT_BUCKETS.`, param, 'bucket_not_allowed');
  }
  let res;
  try {
    res = await opts.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: opts.signal });
  } catch (err) {
    if (isNotFound(err)) throw errors.invalidRequest(`No object at '${raw}'.`, param, 'input_not_found');
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 403) throw errors.invalidRequest(`This server may not read '${raw}'.`, param, 'input_forbidden');
    throw err;
  }
  const body = res.Body as Readable;
  const bytes = res.ContentLength ?? 0;
  if (bytes > opts.maxBytes) {
    body.destroy();
    throw new ApiError(`The object at '${raw}' is ${bytes} bytes, over the limit of ${opts.maxBytes}.`, {
      status: 413,
      type: 'invalid_request_error',
      code: 'file_too_large',
      param,
    });
  }
  // The length header is the server's word; count anyway.
  const counter = new ByteCounter(opts.maxBytes);
  body.on('error', (err) => counter.destroy(err));
  return { body: body.pipe(counter), bytes, contentType: res.ContentType };
}
