/**
 * Where job inputs and results live: the local disk (STORAGE=fs, the embedded default) or an
 * S3-compatible bucket (STORAGE=s3). Bodies are always streams: a 1 GiB input never sits in
 * memory. Keys are relative paths such as `jobs/<id>/input`; stores never interpret them.
 */
import type { Readable } from 'node:stream';

export interface PutOptions {
  contentType?: string;
  /** Refuse (and leave nothing behind) once the stream passes this many bytes. */
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface BlobInfo {
  bytes: number;
  contentType?: string;
}

/** A blob made available as a local file, for tools that need to seek (ffmpeg on MP4/M4A). */
export interface LocalBlob {
  path: string;
  /** Removes any temporary copy; idempotent. */
  release(): Promise<void>;
}

export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /** Streams `body` to `key`, replacing any blob there. Atomic: readers see the old blob or the whole new one. */
  put(key: string, body: Readable, opts?: PutOptions): Promise<BlobInfo>;
  /** The blob's bytes, or undefined when there is none. */
  get(key: string): Promise<{ body: Readable; info: BlobInfo } | undefined>;
  /** A local file with the blob's bytes (the blob itself for fs, a streamed temp copy for s3). */
  openLocal(key: string, signal?: AbortSignal): Promise<LocalBlob | undefined>;
  /** Removes the blob; no error when there is none. */
  delete(key: string): Promise<void>;
  /** Removes every blob under a prefix (`jobs/<id>/`). */
  deletePrefix(prefix: string): Promise<void>;
  close(): Promise<void>;
}
