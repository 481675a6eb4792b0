/**
 * STORAGE=s3: blobs are objects in one bucket, under S3_PREFIX. Works with AWS S3, GCS's S3
 * interoperability, MinIO and moto (the CI's server).
 *
 * Puts stream through lib-storage's multipart Upload (at most queueSize × partSize bytes held in
 * memory, whatever the blob's size). An object only appears when the upload completes, so readers
 * see the old blob or the whole new one. A failure, an abort or maxBytes destroys the source stream,
 * which makes the Upload abort its multipart upload before `put` rejects: nothing is left behind.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline as pipe, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobInfo, BlobStore, LocalBlob, PutOptions } from './blob-store.js';
import { ByteCounter } from './byte-limit.js';
import { assertKey, assertPrefix } from './keys.js';
import { isNotFound } from './s3-client.js';

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Prepended to every key; '' or ending in '/'. */
  prefix?: string;
  /** Where openLocal puts its temporary copies. */
  tmpDir: string;
  /** Multipart part size (S3's minimum is 5 MiB) and parts in flight per upload. */
  partSize?: number;
  queueSize?: number;
}

const abortError = () => Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  /** GCS's XML API has no multi-object delete; once refused, delete one by one. */
  private batchDelete = true;

  constructor(private readonly opts: S3BlobStoreOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    const p = opts.prefix ?? '';
    this.prefix = p === '' || p.endsWith('/') ? p : `${p}/`;
  }

  private objectKey(key: string): string {
    return this.prefix + assertKey(key);
  }

  async put(key: string, body: Readable, opts: PutOptions = {}): Promise<BlobInfo> {
    const Key = this.objectKey(key);
    const counter = new ByteCounter(opts.maxBytes);
    // An error in the source (or maxBytes, or abort) destroys `counter`, which the Upload is reading:
    // it then aborts its multipart upload itself and rejects.
    pipe(body, counter, () => undefined);
    const onAbort = () => counter.destroy(abortError());
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: counter, ContentType: opts.contentType },
      partSize: this.opts.partSize ?? 5 * 1024 * 1024,
      queueSize: this.opts.queueSize ?? 4,
    });
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      counter.destroy();
      // The Upload reports the stream's own error (413, AbortError, the source's failure).
      throw counter.errored ?? err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    return { bytes: counter.bytes, contentType: opts.contentType };
  }

  async get(key: string): Promise<{ body: Readable; info: BlobInfo } | undefined> {
    const Key = this.objectKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      const body = res.Body as Readable;
      return { body, info: { bytes: res.ContentLength ?? 0, contentType: res.ContentType } };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async openLocal(key: string, signal?: AbortSignal): Promise<LocalBlob | undefined> {
    signal?.throwIfAborted();
    const got = await this.get(key);
    if (!got) return undefined;
    const file = path.join(this.opts.tmpDir, `blob-${randomBytes(8).toString('hex')}`);
    const release = () => rm(file, { force: true });
    try {
      await pipeline(got.body, createWriteStream(file, { flags: 'wx' }), { signal });
    } catch (err) {
      got.body.destroy();
      await release();
      throw err;
    }
    return { path: file, release };
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async deletePrefix(prefix: string): Promise<void> {
    const Prefix = this.prefix + assertPrefix(prefix);
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
      if (keys.length > 0) await this.deleteKeys(keys);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    if (this.batchDelete) {
      try {
        const res = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
        );
        const failed = res.Errors ?? [];
        if (failed.length > 0) throw new Error(`could not delete ${failed.length} object(s): ${failed[0].Code} ${failed[0].Message}`);
        return;
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if ((err as Error).name !== 'NotImplemented' && status !== 501) throw err;
        this.batchDelete = false;
      }
    }
    for (const Key of keys) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
  }
}
