import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../src/models-cli/catalog.js';
import { verifyDigests } from '../../src/models-cli/checksum.js';
import { pullModel, sourceUrl } from '../../src/models-cli/pull.js';

const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 251));
const sha256 = createHash('sha256').update(body).digest('hex');
const sha1 = createHash('sha1').update(body).digest('hex');

let server: Server;
let base: string;
const hits: string[] = [];
const root = mkdtempSync(join(tmpdir(), 'models-pull-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/hf/ggml-test.bin') {
      res.writeHead(200, { 'content-length': body.length });
      // Two writes, so the client sees more than one chunk.
      res.write(body.subarray(0, 1000));
      res.end(body.subarray(1000));
    } else if (req.url === '/moved/ggml-test.bin') {
      res.writeHead(302, { location: '/hf/ggml-test.bin' }).end(); // Hugging Face redirects to its CDN
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(root, { recursive: true, force: true });
});

function entry(over: Partial<CatalogEntry> = {}): CatalogEntry {
  return { name: 'test', file: 'ggml-test.bin', url: 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-test.bin', size: body.length, sha256, sha1: null, multilingual: false, quantization: 'f16', checksumSource: 'test', ...over };
}

const fresh = (name: string) => mkdtempSync(join(root, `${name}-`));

describe('pull', () => {
  it('downloads, verifies and installs the file when the checksum matches', async () => {
    const dir = fresh('good');
    const r = await pullModel(entry(), { dir, mirror: `${base}/hf/`, progress: false });
    expect(r).toMatchObject({ path: join(dir, 'ggml-test.bin'), bytes: body.length, verifiedWith: 'sha256', cached: false });
    expect(readFileSync(r.path).equals(body)).toBe(true);
    expect(readdirSync(dir)).toEqual(['ggml-test.bin']);
  });

  it('follows redirects and accepts a SHA-1-only entry (what upstream publishes)', async () => {
    const dir = fresh('sha1');
    const r = await pullModel(entry({ sha256: null, sha1 }), { dir, mirror: `${base}/moved`, progress: false });
    expect(r.verifiedWith).toBe('sha1');
  });

  it('rejects a bad checksum and leaves nothing behind', async () => {
    const dir = fresh('bad');
    const wrong = entry({ sha256: '0'.repeat(64) });
    await expect(pullModel(wrong, { dir, mirror: `${base}/hf`, progress: false })).rejects.toThrow(/sha256 mismatch/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects a size mismatch and HTTP errors', async () => {
    const dir = fresh('size');
    await expect(pullModel(entry({ size: body.length + 1 }), { dir, mirror: `${base}/hf`, progress: false })).rejects.toThrow(/got 300000 bytes, the catalogue says 300001/);
    await expect(pullModel(entry({ file: 'ggml-missing.bin' }), { dir, mirror: `${base}/hf`, progress: false })).rejects.toThrow(/HTTP 404/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('does not download again when an intact copy is present, and replaces a corrupt one', async () => {
    const dir = fresh('cached');
    writeFileSync(join(dir, 'ggml-test.bin'), body);
    const before = hits.length;
    expect((await pullModel(entry(), { dir, mirror: `${base}/hf`, progress: false })).cached).toBe(true);
    expect(hits.length).toBe(before);
    writeFileSync(join(dir, 'ggml-test.bin'), 'corrupt');
    const r = await pullModel(entry(), { dir, mirror: `${base}/hf`, progress: false });
    expect(r.cached).toBe(false);
    expect(readFileSync(r.path).equals(body)).toBe(true);
  });

  it('refuses entries with no checksum at all', async () => {
    const dir = fresh('none');
    await expect(pullModel(entry({ sha256: null, sha1: null }), { dir, mirror: `${base}/hf`, progress: false })).rejects.toThrow(/no checksum/);
    expect(existsSync(join(dir, 'ggml-test.bin'))).toBe(false);
  });

  it('builds mirror URLs from the file name', () => {
    expect(sourceUrl(entry())).toBe('https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-test.bin');
    expect(sourceUrl(entry(), 'http://mirror.local/whisper//')).toBe('http://mirror.local/whisper/ggml-test.bin');
  });
});

describe('verifyDigests', () => {
  const actual = { sha256, sha1 };
  it('checks every digest the entry carries', () => {
    expect(verifyDigests('x', actual, { sha256, sha1 })).toBe('both');
    expect(() => verifyDigests('x', actual, { sha256, sha1: 'f'.repeat(40) })).toThrow(/sha1 mismatch/);
    expect(verifyDigests('x', actual, { sha256: sha256.toUpperCase() })).toBe('sha256');
  });
});
