import { describe, expect, it } from 'vitest';
import { createClientSecrets, signingKey } from '../../../src/realtime/client-secrets.js';

describe('client secrets', () => {
  const claims = { expiresAt: 1_000, dialect: 'ga' as const, session: { type: 'transcription', include: [] } };

  it('verify gives back what was minted, until the second it expires', () => {
    let now = 999_000;
    const secrets = createClientSecrets(signingKey(['sk-a']), () => now);
    const value = secrets.mint(claims);
    expect(secrets.verify(value)).toEqual({ ok: true, claims });
    now = 1_000_000;
    expect(secrets.verify(value)).toEqual({ ok: false, reason: 'expired' });
  });

  it('a secret of other API keys, or a changed one, is invalid', () => {
    const mine = createClientSecrets(signingKey(['sk-a', 'sk-b']), () => 0);
    const sameKeys = createClientSecrets(signingKey(['sk-b', 'sk-a']), () => 0);
    const theirs = createClientSecrets(signingKey(['sk-c']), () => 0);
    const value = mine.mint(claims);
    expect(sameKeys.verify(value).ok).toBe(true); // any replica with the same keys
    expect(theirs.verify(value)).toEqual({ ok: false, reason: 'invalid' });
    expect(mine.verify(`${value}x`)).toEqual({ ok: false, reason: 'invalid' });
    expect(mine.verify(value.replace('ek_', 'ek_A'))).toEqual({ ok: false, reason: 'invalid' });
    expect(mine.verify('sk-a')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('without API keys each process signs with a key of its own', () => {
    const a = createClientSecrets(signingKey([]), () => 0);
    const b = createClientSecrets(signingKey([]), () => 0);
    expect(b.verify(a.mint(claims)).ok).toBe(false);
  });
});
