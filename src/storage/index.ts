/**
 * Picks the BlobStore from config: STORAGE=fs (the default, under `fsRoot`, e.g. DATA_DIR/blobs)
 * or STORAGE=s3 (S3_BUCKET under S3_PREFIX). The S3 client is shared with `s3://` inputs.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { openFsBlobStore } from './fs-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';
import { createS3Client } from './s3-client.js';

export type StorageConfig = Pick<
  Config,
  'STORAGE' | 'S3_BUCKET' | 'S3_PREFIX' | 'S3_ENDPOINT' | 'S3_REGION' | 'S3_FORCE_PATH_STYLE' | 'TMP_DIR'
>;

export interface Storage {
  blobs: BlobStore;
  /** Set when STORAGE=s3: the client `s3://` inputs are read with. */
  s3?: S3Client;
}

export async function createBlobStore(config: StorageConfig, fsRoot: string): Promise<Storage> {
  if (config.STORAGE === 'fs') return { blobs: await openFsBlobStore(fsRoot) };
  if (!config.S3_BUCKET) throw new Error('STORAGE=s3 needs S3_BUCKET');
  const s3 = createS3Client(config);
  const blobs = new S3BlobStore({ client: s3, bucket: config.S3_BUCKET, prefix: config.S3_PREFIX, tmpDir: config.TMP_DIR });
  return { blobs, s3 };
}

export type { BlobStore, BlobInfo, LocalBlob, PutOptions } from './blob-store.js';
