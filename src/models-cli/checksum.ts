import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface Digests {
  sha256: string;
  sha1: string;
}

export interface ExpectedDigests {
  sha256?: string | null;
  sha1?: string | null;
}

/** Incremental hashing, so downloads can be checked while they stream. */
export function digester(): { update(chunk: Uint8Array): void; digest(): Digests } {
  const s256 = createHash('sha256');
  const s1 = createHash('sha1');
  return {
    update(chunk) {
      s256.update(chunk);
      s1.update(chunk);
    },
    digest: () => ({ sha256: s256.digest('hex'), sha1: s1.digest('hex') }),
  };
}

export async function hashFile(path: string): Promise<Digests> {
  const d = digester();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) d.update(chunk as Buffer);
  return d.digest();
}

/**
 * Checks every digest the catalogue knows. Upstream whisper.cpp only publishes
 * SHA-1s, so an entry may carry either or both; having neither is refused
 * rather than silently trusting the network.
 */
export function verifyDigests(label: string, actual: Digests, expected: ExpectedDigests): 'sha256' | 'sha1' | 'both' {
  const want256 = expected.sha256?.toLowerCase();
  const want1 = expected.sha1?.toLowerCase();
  if (!want256 && !want1) throw new Error(`${label}: no checksum is known, refusing to trust it`);
  if (want256 && want256 !== actual.sha256) throw new Error(`${label}: sha256 mismatch (expected ${want256}, got ${actual.sha256})`);
  if (want1 && want1 !== actual.sha1) throw new Error(`${label}: sha1 mismatch (expected ${want1}, got ${actual.sha1})`);
  return want256 && want1 ? 'both' : want256 ? 'sha256' : 'sha1';
}
