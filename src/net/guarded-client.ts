/**
 * The one outbound HTTP client (audio_url fetches, webhook deliveries). Each hop, redirects
 * included, is checked twice: before connecting (scheme, credentials, every address the name
 * resolves to) so a refusal is a clear error, and again at connect time by
 * request-filtering-agent's lookup hook, so a DNS answer that changes in between (rebinding)
 * still cannot reach a private address. Redirects are capped; bodies are capped by the caller
 * through limitBytes().
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { refusalReason } from './address-policy.js';
import { OutboundError } from './errors.js';

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface GuardedClientOptions {
  allowPrivate: boolean;
  maxRedirects: number;
  /** Connect + response headers; also the longest silence while a body streams. */
  timeoutMs: number;
  /** Tests: resolve names without DNS (it still passes through both checks). */
  lookup?: net.LookupFunction;
  /** Tests: exact addresses allowed whatever their range (a local "public" server). */
  allowAddresses?: string[];
}

export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Default: true for GET, false otherwise (a webhook is never re-sent elsewhere). */
  followRedirects?: boolean;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  url: string;
  body: Readable;
}

export interface GuardedClient {
  /** Refuses what no request may reach; resolves to the parsed URL. */
  check(url: string): Promise<URL>;
  request(url: string, req?: OutboundRequest): Promise<OutboundResponse>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function createGuardedClient(opts: GuardedClientOptions): GuardedClient {
  const agentOpts = {
    allowPrivateIPAddress: opts.allowPrivate,
    allowMetaIPAddress: false,
    allowIPAddressList: opts.allowAddresses ?? [],
    keepAlive: false,
  };
  const allowed = (address: string) =>
    opts.allowAddresses?.includes(address) ? undefined : refusalReason(address, opts.allowPrivate);
  const connectLookup = guardLookup(opts.lookup ?? dns.lookup, allowed);
  const agents = { 'http:': new RequestFilteringHttpAgent(agentOpts), 'https:': new RequestFilteringHttpsAgent(agentOpts) };
  const lookupAll: LookupAll = (hostname) =>
    new Promise((resolve, reject) => {
      (opts.lookup ?? dns.lookup)(hostname, { all: true }, (err, addresses) => {
        if (err) reject(err);
        else resolve(addresses as unknown as { address: string; family: number }[]);
      });
    });

  async function check(raw: string): Promise<URL> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OutboundError('invalid_url', `'${truncate(raw)}' is not a valid absolute URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundError('unsupported_scheme', `URL scheme '${url.protocol.replace(':', '')}' is not allowed: use http or https.`);
    }
    if (url.username || url.password) throw new OutboundError('invalid_url', 'URLs with credentials are not accepted.');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (net.isIP(host)) {
      addresses = [host];
    } else {
      try {
        addresses = (await lookupAll(host)).map((a) => a.address);
      } catch (err) {
        throw new OutboundError('dns_failure', `Could not resolve host '${truncate(host)}'.`, undefined, { cause: err });
      }
      if (addresses.length === 0) throw new OutboundError('dns_failure', `Host '${truncate(host)}' has no address.`);
    }
    for (const address of addresses) {
      const reason = allowed(address);
      if (reason) throw new OutboundError('blocked_address', `URL host '${truncate(host)}' is not allowed: ${reason}.`);
    }
    return url;
  }

  function once(url: URL, req: OutboundRequest): Promise<http.IncomingMessage> {
    const timeoutMs = req.timeoutMs ?? opts.timeoutMs;
    return new Promise((resolve, reject) => {
      const mod = url.protocol === 'https:' ? https : http;
      const r = mod.request(url, {
        method: req.method ?? 'GET',
        headers: { 'user-agent': 'whisper-server', ...req.headers },
        agent: agents[url.protocol as 'http:' | 'https:'],
        lookup: connectLookup,
        signal: req.signal,
      });
      const timer = setTimeout(() => r.destroy(new OutboundError('timeout', `No response within ${timeoutMs} ms.`)), timeoutMs);
      r.on('response', (res) => {
        clearTimeout(timer);
        // A body that stalls for as long as the header timeout is as dead as one that never came.
        res.setTimeout(timeoutMs, () => res.destroy(new OutboundError('timeout', `The body stalled for ${timeoutMs} ms.`)));
        resolve(res);
      });
      r.on('error', (err) => {
        clearTimeout(timer);
        reject(mapError(err));
      });
      r.end(req.body);
    });
  }

  return {
    check,
    async request(raw, req = {}) {
      const follow = req.followRedirects ?? (req.method ?? 'GET') === 'GET';
      let url = await check(raw);
      for (let hop = 0; ; hop++) {
        const res = await once(url, req);
        const location = res.headers.location;
        if (!follow || !REDIRECTS.has(res.statusCode ?? 0) || !location) {
          return { status: res.statusCode ?? 0, headers: res.headers, url: url.toString(), body: res };
        }
        res.resume();
        if (hop >= opts.maxRedirects) throw new OutboundError('too_many_redirects', `More than ${opts.maxRedirects} redirects.`);
        url = await check(new URL(location, url).toString());
      }
    },
  };
}

/**
 * The connect-time check: the lookup the socket itself uses refuses a forbidden answer, so what
 * is connected to is what was checked (request-filtering-agent adds its own check on top).
 */
function guardLookup(base: net.LookupFunction, refuse: (address: string) => string | undefined): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, cb: (...args: unknown[]) => void) => {
    base(hostname, options, ((err: NodeJS.ErrnoException | null, address: unknown, family?: number) => {
      if (err) return cb(err);
      const list = Array.isArray(address) ? (address as { address: string }[]).map((a) => a.address) : [address as string];
      for (const a of list) {
        const reason = refuse(a);
        if (reason) return cb(new OutboundError('blocked_address', `Host '${hostname}' is not allowed: ${reason}.`));
      }
      cb(null, address, family);
    }) as never);
  }) as net.LookupFunction;
}

function mapError(err: unknown): Error {
  if (err instanceof OutboundError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.name === 'AbortError') return e;
  if (/is not allowed/.test(e?.message ?? '')) {
    return new OutboundError('blocked_address', `The address is not allowed: ${e.message}`, undefined, { cause: err });
  }
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return new OutboundError('dns_failure', e.message, undefined, { cause: err });
  return new OutboundError('connection_failed', `Connection failed: ${e?.message ?? String(err)}`, undefined, { cause: err });
}

const truncate = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

/** Passes bytes through until `maxBytes`, then fails the stream with body_too_large. */
export function limitBytes(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > maxBytes) cb(new OutboundError('body_too_large', `The response body exceeds the limit of ${maxBytes} bytes.`));
      else cb(null, chunk);
    },
  });
}
