/**
 * Turns an invocation's audio source into a local file for the decoder: raw bodies are already
 * spooled; base64 is decoded to a file; an http(s) URL is fetched through the guarded client
 * (private addresses refused, redirects and size capped); s3://bucket/key is read with the
 * server's credentials from an allow-listed bucket (storage/s3-input.ts). Never buffered whole.
 */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { errors } from '../errors.js';
import { OutboundError } from '../net/errors.js';
import { limitBytes, type GuardedClient } from '../net/guarded-client.js';
import { isS3Url, openS3Input } from '../storage/s3-input.js';
import type { InvocationSource } from './request.js';

export interface InputDeps {
  client: GuardedClient;
  /** Set when STORAGE=s3. */
  s3?: S3Client;
  allowedBuckets: readonly string[];
  maxBytes: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export async function materialize(source: InvocationSource, dir: string, deps: InputDeps, signal?: AbortSignal): Promise<string> {
  if (source.kind === 'file') return source.path;
  const file = path.join(dir, 'input');
  if (source.kind === 'base64') {
    const text = source.data.replace(/\s+/g, '');
    if (!BASE64.test(text) || text.length % 4 === 1) throw errors.invalidRequest('audio_b64 is not valid base64.', 'audio_b64', 'invalid_base64');
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === 0) throw errors.invalidRequest('audio_b64 decodes to no bytes.', 'audio_b64', 'empty_body');
    if (bytes.length > deps.maxBytes) throw errors.fileTooLarge(deps.maxBytes);
    await fs.writeFile(file, bytes);
    return file;
  }
  if (isS3Url(source.url)) {
    const { body } = await openS3Input(source.url, { client: deps.s3, allowedBuckets: deps.allowedBuckets, maxBytes: deps.maxBytes, signal });
    await pipeline(body, createWriteStream(file), { signal });
    return file;
  }
  try {
    const res = await deps.client.request(source.url, { method: 'GET', signal });
    if (res.status < 200 || res.status > 299) {
      res.body.resume();
      throw new OutboundError('http_error', `Fetching audio_url answered HTTP ${res.status}.`, res.status);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > deps.maxBytes) {
      res.body.destroy();
      throw errors.fileTooLarge(deps.maxBytes);
    }
    await pipeline(res.body, limitBytes(deps.maxBytes), createWriteStream(file), { signal });
    return file;
  } catch (err) {
    if (err instanceof OutboundError) throw errors.invalidUrl('audio_url', `audio_url: ${err.message}`, err.code);
    throw err;
  }
}
