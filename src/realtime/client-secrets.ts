/**
 * Short-lived client secrets (`ek_…`), as OpenAI mints them for browsers: a page gets one from
 * its own backend and opens the WebSocket with it, so the real API key never reaches the page.
 * A secret is self-contained and signed (HMAC-SHA256): it carries its expiry and the session
 * configuration it was minted with, so any replica that shares the key verifies it without a
 * store. The key is derived from API_KEYS (a secret dies with the keys it was minted under);
 * without API keys a random per-process key is used.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Dialect } from './protocol.js';

export interface SecretClaims {
  /** Seconds since the epoch. */
  expiresAt: number;
  /** The session configuration, as the client sent it in the mint request, and its dialect. */
  dialect: Dialect;
  session: Record<string, unknown>;
}

export type Verified = { ok: true; claims: SecretClaims } | { ok: false; reason: 'invalid' | 'expired' };

export interface ClientSecrets {
  mint(claims: SecretClaims): string;
  verify(value: string): Verified;
}

export const CLIENT_SECRET_PREFIX = 'ek_';
/** Longest secret accepted: it travels in a header (the WebSocket subprotocol). */
export const MAX_SECRET_LENGTH = 6000;

export function signingKey(apiKeys: readonly string[]): Buffer {
  if (apiKeys.length === 0) return randomBytes(32);
  return createHash('sha256').update(`realtime-client-secret\n${[...apiKeys].sort().join('\n')}`).digest();
}

export function createClientSecrets(key: Buffer, now: () => number = Date.now): ClientSecrets {
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  return {
    mint(claims) {
      const payload = Buffer.from(JSON.stringify({ e: claims.expiresAt, d: claims.dialect, s: claims.session, n: randomBytes(6).toString('base64url') })).toString('base64url');
      return `${CLIENT_SECRET_PREFIX}${payload}.${sign(payload)}`;
    },
    verify(value) {
      if (!value.startsWith(CLIENT_SECRET_PREFIX) || value.length > MAX_SECRET_LENGTH) return { ok: false, reason: 'invalid' };
      const [payload, sig, ...rest] = value.slice(CLIENT_SECRET_PREFIX.length).split('.');
      if (!payload || !sig || rest.length) return { ok: false, reason: 'invalid' };
      const want = Buffer.from(sign(payload));
      const got = Buffer.from(sig);
      if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'invalid' };
      let body: { e?: unknown; d?: unknown; s?: unknown };
      try {
        body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, reason: 'invalid' };
      }
      if (typeof body.e !== 'number' || (body.d !== 'ga' && body.d !== 'beta') || typeof body.s !== 'object' || body.s === null) return { ok: false, reason: 'invalid' };
      if (body.e * 1000 <= now()) return { ok: false, reason: 'expired' };
      return { ok: true, claims: { expiresAt: body.e, dialect: body.d, session: body.s as Record<string, unknown> } };
    },
  };
}
