/**
 * The outbound URL corpus: every address class the issue names is refused before anything is
 * fetched, redirects are re-checked and capped, bodies are cut at the cap. Servers listen on
 * 127.0.0.2 and are let through by an exact allowAddresses entry, standing in for a public host;
 * 127.0.0.1 (plain loopback) stays refused, so "nothing fetched" is checked by its hit counter.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundError } from '../../src/net/errors.js';
import { createGuardedClient, limitBytes } from '../../src/net/guarded-client.js';
import { refusalReason } from '../../src/net/address-policy.js';

let hits = 0;
let loopback: http.Server;
let publicServer: http.Server;
let loopbackPort = 0;
let publicPort = 0;
let infiniteBytesSent = 0;

function listen(server: http.Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  loopback = http.createServer((_req, res) => {
    hits++;
    res.end('secret');
  });
  loopbackPort = await listen(loopback, '127.0.0.1');
  publicServer = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/to-loopback') return void res.writeHead(302, { location: `http://127.0.0.1:${loopbackPort}/` }).end();
    if (u.pathname === '/to-localhost') return void res.writeHead(307, { location: `http://localhost:${loopbackPort}/` }).end();
    if (u.pathname === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
    if (u.pathname === '/hop') return void res.writeHead(301, { location: '/ok' }).end();
    if (u.pathname === '/huge') {
      // Claims 2 GiB up front: refused from the header, never read.
      res.writeHead(200, { 'content-length': String(2 * 1024 ** 3) });
      return void res.write(Buffer.alloc(1024));
    }
    if (u.pathname === '/forever') {
      // Chunked and endless: only the byte cap stops it.
      res.writeHead(200, { 'content-type': 'audio/wav' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const push = () => {
        while (!res.destroyed && res.write(chunk)) infiniteBytesSent += chunk.length;
        if (!res.destroyed) res.once('drain', push);
      };
      res.on('close', () => undefined);
      return push();
    }
    res.end('ok');
  });
  publicPort = await listen(publicServer, '127.0.0.2');
});

afterAll(async () => {
  loopback.closeAllConnections();
  publicServer.closeAllConnections();
  await new Promise((r) => loopback.close(r));
  await new Promise((r) => publicServer.close(r));
});

const client = createGuardedClient({ allowPrivate: false, maxRedirects: 3, timeoutMs: 2000, allowAddresses: ['127.0.0.2'] });
const pub = (p: string) => `http://127.0.0.2:${publicPort}${p}`;

async function refused(url: string, code: string, c = client): Promise<OutboundError> {
  const before = hits;
  const err = await c.request(url).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(OutboundError);
  expect((err as OutboundError).code).toBe(code);
  expect((err as OutboundError).message.length).toBeGreaterThan(10);
  expect(hits).toBe(before);
  return err as OutboundError;
}

describe('guarded outbound client', () => {
  it('refuses loopback, private, link-local/metadata and unspecified addresses', async () => {
    await refused(`http://127.0.0.1:${loopbackPort}/`, 'blocked_address');
    await refused(`http://[::1]:${loopbackPort}/`, 'blocked_address');
    await refused('http://169.254.169.254/latest/meta-data/', 'blocked_address');
    await refused('http://10.0.0.1/', 'blocked_address');
    await refused('http://192.168.1.1/', 'blocked_address');
    await refused('http://0.0.0.0/', 'blocked_address');
    await refused(`http://[::ffff:127.0.0.1]:${loopbackPort}/`, 'blocked_address');
    await refused('http://100.64.0.1/', 'blocked_address');
  });

  it('refuses a hostname that resolves to loopback (localhost, and a custom resolver)', async () => {
    await refused(`http://localhost:${loopbackPort}/`, 'blocked_address');
    const rebinding = createGuardedClient({
      allowPrivate: false, maxRedirects: 3, timeoutMs: 2000,
      lookup: ((_host: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[] | string, f?: number) => void) =>
        typeof _o === 'object' && (_o as { all?: boolean }).all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as never,
    });
    const err = await refused(`http://innocent.example:${loopbackPort}/`, 'blocked_address', rebinding);
    expect(err.message).toContain('innocent.example');
  });

  it('refuses at connect time a name whose answer changes after the check (DNS rebinding)', async () => {
    let calls = 0;
    const rebinding = createGuardedClient({
      allowPrivate: false, maxRedirects: 3, timeoutMs: 2000, allowAddresses: ['127.0.0.2'],
      lookup: ((_h: string, o: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) => {
        const address = calls++ === 0 ? '127.0.0.2' : '127.0.0.1';
        return o?.all ? cb(null, [{ address, family: 4 }]) : cb(null, address, 4);
      }) as never,
    });
    await refused(`http://rebind.example:${loopbackPort}/`, 'blocked_address', rebinding);
    expect(calls).toBe(2);
  });

  it('refuses non-http schemes and credentials', async () => {
    await refused('file:///etc/passwd', 'unsupported_scheme');
    await refused('ftp://example.com/a.wav', 'unsupported_scheme');
    await refused('gopher://127.0.0.1/', 'unsupported_scheme');
    await refused('not a url', 'invalid_url');
    await refused('http://user:pw@example.com/', 'invalid_url');
  });

  it('re-checks every redirect and caps them', async () => {
    await refused(pub('/to-loopback'), 'blocked_address');
    await refused(pub('/to-localhost'), 'blocked_address');
    await refused(pub('/loop'), 'too_many_redirects');
    const ok = await client.request(pub('/hop'));
    expect(ok.status).toBe(200);
    expect(ok.url).toBe(pub('/ok'));
    ok.body.resume();
  });

  it('cuts an endless body at the cap', async () => {
    const res = await client.request(pub('/forever'));
    let got = 0;
    const cap = 1024 * 1024;
    const err = await new Promise((resolve) => {
      const limited = res.body.pipe(limitBytes(cap));
      res.body.on('error', () => undefined);
      limited.on('data', (c: Buffer) => (got += c.length));
      limited.on('error', (e) => {
        res.body.destroy();
        resolve(e);
      });
      limited.on('end', () => resolve(undefined));
    });
    expect((err as OutboundError).code).toBe('body_too_large');
    expect(got).toBeLessThanOrEqual(cap);
    // The server kept writing into a closed socket only briefly: far from 2 GiB.
    expect(infiniteBytesSent).toBeLessThan(64 * 1024 * 1024);
  });

  it('opens loopback and private ranges with the test override, never metadata', async () => {
    const open = createGuardedClient({ allowPrivate: true, maxRedirects: 1, timeoutMs: 2000 });
    const res = await open.request(`http://127.0.0.1:${loopbackPort}/`);
    expect(res.status).toBe(200);
    res.body.resume();
    await refused('http://169.254.169.254/', 'blocked_address', open);
    expect(refusalReason('169.254.169.254', true)).toMatch(/link-local/);
    expect(refusalReason('10.1.2.3', true)).toBeUndefined();
    expect(refusalReason('8.8.8.8', false)).toBeUndefined();
  });
});
