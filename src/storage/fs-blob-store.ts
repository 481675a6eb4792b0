/**
 * STORAGE=fs, the embedded default: blobs are plain files under one root directory.
 *
 * Writes go to a dot-named temp file in the blob's own directory and are renamed over the key
 * only once complete and fsynced, so a reader (or a restart after kill -9) sees the old blob or
 * the whole new one, never a part. The content type lives in a dot-named sidecar beside it.
 * Temp files carry the writer's pid; `openFsBlobStore` removes those whose writer is gone.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobInfo, BlobStore, LocalBlob, PutOptions } from './blob-store.js';
import { ByteCounter } from './byte-limit.js';
import { assertKey, assertPrefix } from './keys.js';

const TEMP = /^\.(.+)~(\d+)-[0-9a-f]+\.tmp$/;
const sidecarName = (name: string) => `.${name}~type`;
/** The key name a directory entry belongs to (temp and sidecar files included). */
const ownerName = (entry: string) => (entry.startsWith('.') ? entry.slice(1).split('~')[0] : entry);

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;

  constructor(readonly root: string) {}

  private file(key: string): string {
    return path.join(this.root, ...assertKey(key).split('/'));
  }

  async put(key: string, body: Readable, opts: PutOptions = {}): Promise<BlobInfo> {
    const file = this.file(key);
    const dir = path.dirname(file);
    const name = path.basename(file);
    await mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `.${name}~${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    const counter = new ByteCounter(opts.maxBytes);
    try {
      await pipeline(body, counter, createWriteStream(tmp, { flags: 'wx' }), { signal: opts.signal });
      const fh = await open(tmp, 'r');
      try {
        await fh.datasync();
      } finally {
        await fh.close();
      }
      const sidecar = path.join(dir, sidecarName(name));
      if (opts.contentType) await writeFile(sidecar, opts.contentType);
      else await rm(sidecar, { force: true });
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      body.destroy();
      throw err;
    }
    return { bytes: counter.bytes, contentType: opts.contentType };
  }

  async get(key: string): Promise<{ body: Readable; info: BlobInfo } | undefined> {
    const file = this.file(key);
    // Open first, then stat the handle: the bytes and the size belong to the same blob even if
    // a put replaces the key meanwhile.
    const fh = await open(file, 'r').catch((err) => {
      if (isMissing(err)) return undefined;
      throw err;
    });
    if (!fh) return undefined;
    try {
      const { size } = await fh.stat();
      const contentType = await this.contentType(file);
      const body = fh.createReadStream({ autoClose: true });
      return { body, info: { bytes: size, contentType } };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async openLocal(key: string, signal?: AbortSignal): Promise<LocalBlob | undefined> {
    signal?.throwIfAborted();
    const file = this.file(key);
    const fh = await open(file, 'r').catch((err) => {
      if (isMissing(err)) return undefined;
      throw err;
    });
    if (!fh) return undefined;
    await fh.close();
    // The blob itself: nothing to copy, nothing to release.
    return { path: file, release: async () => undefined };
  }

  async delete(key: string): Promise<void> {
    const file = this.file(key);
    await rm(file, { force: true });
    await rm(path.join(path.dirname(file), sidecarName(path.basename(file))), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const dir = path.join(this.root, ...prefix.slice(0, slash + 1).split('/').filter(Boolean));
    const start = prefix.slice(slash + 1);
    const entries = await readdir(dir).catch((err) => {
      if (isMissing(err)) return [] as string[];
      throw err;
    });
    await Promise.all(
      entries
        .filter((entry) => ownerName(entry).startsWith(start))
        .map((entry) => rm(path.join(dir, entry), { recursive: true, force: true })),
    );
    // `jobs/<id>/` names a directory: remove it too, so finished jobs leave no empty folders.
    if (start === '' && dir !== this.root) await rm(dir, { recursive: true, force: true });
  }

  async close(): Promise<void> {}

  private async contentType(file: string): Promise<string | undefined> {
    const sidecar = path.join(path.dirname(file), sidecarName(path.basename(file)));
    return readFile(sidecar, 'utf8').catch((err) => {
      if (isMissing(err)) return undefined;
      throw err;
    });
  }
}

/** Creates the root and removes temp files left by writers that died (kill -9, OOM, power loss). */
export async function openFsBlobStore(root: string): Promise<FsBlobStore> {
  const abs = path.resolve(root);
  await mkdir(abs, { recursive: true });
  await sweepTemp(abs);
  return new FsBlobStore(abs);
}

async function sweepTemp(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      await sweepTemp(full);
      continue;
    }
    const m = TEMP.exec(entry.name);
    // Our own pid can't have a put in flight yet; in a container a restarted server is pid 1 again.
    if (m && (Number(m[2]) === process.pid || !isAlive(Number(m[2])))) await rm(full, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
