import { closeSync, createWriteStream, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogEntry } from './catalog.js';
import { digester, hashFile, verifyDigests } from './checksum.js';
import { createProgress } from './progress.js';
import { tempPathFor } from './temp-path.js';

export interface PullOptions {
  dir: string;
  /** Replaces the catalogue URL's directory, for a mirror of the Hugging Face repo. */
  mirror?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  progress?: boolean;
}

export interface PullResult {
  path: string;
  bytes: number;
  verifiedWith: string;
  /** True when an intact copy was already there and nothing was downloaded. */
  cached: boolean;
}

export function sourceUrl(entry: CatalogEntry, mirror?: string): string {
  return mirror ? `${mirror.replace(/\/+$/, '')}/${entry.file}` : entry.url;
}

async function stream(res: Response, tmp: string, entry: CatalogEntry, opts: PullOptions) {
  const header = Number(res.headers.get('content-length'));
  const total = Number.isFinite(header) && header > 0 ? header : (entry.size ?? undefined);
  const bar = opts.progress === false ? undefined : createProgress(entry.name, total);
  const hash = digester();
  const out = createWriteStream(tmp);
  let bytes = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.length;
      bar?.update(bytes);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  bar?.done();
  return { bytes, digests: hash.digest() };
}

/**
 * Downloads a catalogued model into `dir`, hashing while it streams. Only a
 * file whose size and checksum match the catalogue is renamed into place, so
 * the models directory never holds a partial or corrupt model.
 */
export async function pullModel(entry: CatalogEntry, opts: PullOptions): Promise<PullResult> {
  const log = opts.log ?? (() => {});
  const path = join(opts.dir, entry.file);
  if (existsSync(path)) {
    try {
      const how = verifyDigests(path, await hashFile(path), entry);
      return { path, bytes: statSync(path).size, verifiedWith: how, cached: true };
    } catch {
      log(`${path} exists but does not match the catalogue; downloading again`);
    }
  }
  if (!entry.sha256 && !entry.sha1) throw new Error(`${entry.name}: the catalogue has no checksum for it, refusing to download unverified weights`);
  await mkdir(opts.dir, { recursive: true });
  const url = sourceUrl(entry, opts.mirror);
  log(`downloading ${url}`);
  const res = await fetch(url, { redirect: 'follow', signal: opts.signal });
  if (!res.ok || !res.body) throw new Error(`GET ${url} failed: HTTP ${res.status} ${res.statusText}`);
  const tmp = tempPathFor(path);
  try {
    const { bytes, digests } = await stream(res, tmp, entry, opts);
    if (entry.size !== null && bytes !== entry.size) throw new Error(`${entry.name}: got ${bytes} bytes, the catalogue says ${entry.size}`);
    const how = verifyDigests(entry.name, digests, entry);
    const fd = openSync(tmp, 'r+');
    fsyncSync(fd); // make the bytes durable before the rename publishes them
    closeSync(fd);
    renameSync(tmp, path);
    return { path, bytes, verifiedWith: how, cached: false };
  } finally {
    rmSync(tmp, { force: true });
  }
}
