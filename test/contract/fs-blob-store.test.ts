import { mkdtemp, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { FsBlobStore, openFsBlobStore } from '../../src/storage/fs-blob-store.js';
import { blobStoreContract } from './blob-store.contract.js';

/** Every dot-file that is not a content-type sidecar: temp files a failed put left behind. */
async function strayFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.startsWith('.') && !e.name.endsWith('~type')) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

blobStoreContract('fs', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'blobs-'));
  const store = await openFsBlobStore(root);
  return { store, leftovers: () => strayFiles(root), dispose: () => rm(root, { recursive: true, force: true }) };
});

describe('FsBlobStore specifics', () => {
  const roots: string[] = [];
  const fresh = async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'blobs-'));
    roots.push(root);
    return root;
  };
  afterAll(async () => {
    for (const r of roots) await rm(r, { recursive: true, force: true });
  });

  it('openLocal returns the blob file itself, with no copy', async () => {
    const root = await fresh();
    const store = new FsBlobStore(root);
    await store.put('jobs/j1/input', Readable.from([Buffer.from('abc')]));
    const local = await store.openLocal('jobs/j1/input');
    expect(local?.path).toBe(path.join(root, 'jobs', 'j1', 'input'));
    await local!.release();
    expect((await stat(local!.path)).size).toBe(3);
  });

  it('deletePrefix on a directory prefix removes the directory too', async () => {
    const root = await fresh();
    const store = new FsBlobStore(root);
    await store.put('jobs/j1/input', Readable.from([Buffer.from('abc')]), { contentType: 'audio/wav' });
    await store.deletePrefix('jobs/j1/');
    expect(await readdir(path.join(root, 'jobs'))).toEqual([]);
  });

  it('at open, sweeps temp files of dead writers and keeps those of live ones and real blobs', async () => {
    const root = await fresh();
    await mkdir(path.join(root, 'jobs', 'j1'), { recursive: true });
    const dead = path.join(root, 'jobs', 'j1', '.input~999999999-abcdef.tmp');
    const live = path.join(root, 'jobs', 'j1', `.result~${process.ppid}-abcdef.tmp`);
    const blob = path.join(root, 'jobs', 'j1', 'input');
    for (const f of [dead, live, blob]) await writeFile(f, 'x');
    await openFsBlobStore(root);
    expect((await readdir(path.join(root, 'jobs', 'j1'))).sort()).toEqual([path.basename(live), 'input'].sort());
  });
});
