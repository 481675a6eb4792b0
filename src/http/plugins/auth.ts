/**
 * Bearer-key auth for routes marked `config.auth`. Keys are compared as SHA-256 digests with
 * timingSafeEqual, so neither the key's length nor a matching prefix leaks through timing;
 * every configured key is checked, so neither does which one matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { errors } from '../../errors.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function createKeyCheck(keys: readonly string[]): (candidate: string) => boolean {
  const digests = keys.map(digest);
  return (candidate) => {
    const d = digest(candidate);
    let ok = false;
    for (const k of digests) ok = timingSafeEqual(d, k) || ok;
    return ok;
  };
}

export default fp<{ keys: readonly string[] }>(
  async (app, { keys }) => {
    if (keys.length === 0) return;
    const check = createKeyCheck(keys);
    app.addHook('onRequest', async (request) => {
      if (!request.routeOptions.config?.auth) return;
      const header = request.headers.authorization;
      if (!header) throw errors.missingApiKey();
      const m = /^Bearer\s+(.+)$/i.exec(header.trim());
      if (!m || !check(m[1].trim())) throw errors.invalidApiKey();
    });
  },
  { name: 'auth', fastify: '5.x', dependencies: ['request-context'] },
);
