/**
 * GET /v1/realtime?intent=transcription, upgraded to a WebSocket: OpenAI's realtime
 * transcription API. The route only authenticates, picks the dialect and pipes frames; the
 * session state machine lives in src/realtime.
 * Auth: `Authorization: Bearer KEY` (SDKs) or the `openai-insecure-api-key.KEY` subprotocol
 * (browsers cannot set headers on a WebSocket), where KEY may be a client secret `ek_…`
 * (realtime-client-secrets.ts): its session configuration then applies, and an expired or
 * forged one is told so in an `error` event a page can read, before the socket closes (1008).
 * A browser page of another site (an `Origin` not in CORS_ORIGINS) is refused with 403.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errors } from '../../errors.js';
import { CLIENT_SECRET_PREFIX, type Verified } from '../../realtime/client-secrets.js';
import { errorEvent, ProtocolError } from '../../realtime/protocol-error.js';
import type { Dialect } from '../../realtime/protocol.js';
import { createKeyCheck } from '../plugins/auth.js';
import { ErrorBody } from '../schemas/common.js';
import type { FastifyPluginAsyncZod } from '../type-provider.js';

/** The part of ws's WebSocket the route uses (ws ships no types here). */
interface Socket {
  readonly readyState: number;
  readonly OPEN: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'close', fn: () => void): void;
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): void;
}

const KEY_PROTOCOL = 'openai-insecure-api-key.';
const BETA_PROTOCOL = 'openai-beta.realtime-v1';

const protocolsOf = (header: string | string[] | undefined): string[] =>
  (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

/** The subprotocol answered in the handshake: `realtime` when offered, never the key. */
export function selectProtocol(offered: Set<string>): string | false {
  if (offered.has('realtime')) return 'realtime';
  for (const p of offered) if (!p.startsWith(KEY_PROTOCOL)) return p;
  return false;
}

const Query = z.object({
  intent: z.string().optional().describe('`transcription` (the only intent this server runs); may be left out.'),
  model: z.string().optional().describe("A transcription model of this server; other names (OpenAI's realtime models) fall back to the default model."),
});

/**
 * Whether a page of `origin` may open a socket: CORS_ORIGINS (or `*`), or the server's own pages
 * (its Host, or the X-Forwarded-Host a proxy set: a page cannot set headers on a WebSocket).
 */
export function originAllowed(origin: string, hosts: ReadonlyArray<string | undefined>, allowed: readonly string[]): boolean {
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    const host = new URL(origin).host;
    return hosts.some((h) => h !== undefined && h.split(',')[0].trim() === host);
  } catch {
    return false;
  }
}

const realtimeRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config, realtime, lifecycle } = app.services;
  const check = config.API_KEYS.length > 0 ? createKeyCheck(config.API_KEYS) : undefined;
  /** The client secret a handshake carried, checked in preValidation, used once the socket is open. */
  const secrets = new WeakMap<IncomingMessage, Verified>();

  const authenticate = (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const m = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
    const fromProtocol = protocolsOf(request.headers['sec-websocket-protocol']).find((p) => p.startsWith(KEY_PROTOCOL));
    const key = m?.[1].trim() ?? fromProtocol?.slice(KEY_PROTOCOL.length);
    if (key?.startsWith(CLIENT_SECRET_PREFIX)) {
      secrets.set(request.raw, realtime.secrets.verify(key));
      return;
    }
    if (!check) return;
    if (!key) throw errors.missingApiKey();
    if (!check(key)) throw errors.invalidApiKey();
  };

  app.route({
    method: 'GET',
    url: '/v1/realtime',
    schema: {
      tags: ['realtime'],
      operationId: 'realtimeTranscription',
      summary: 'Realtime transcription (WebSocket)',
      description:
        "Upgrade to a WebSocket that speaks OpenAI's realtime transcription events, GA (`session.update`) or beta " +
        '(`transcription_session.update`, or the `OpenAI-Beta: realtime=v1` header / `openai-beta.realtime-v1` subprotocol). ' +
        'Authenticate with `Authorization: Bearer KEY` or the `openai-insecure-api-key.KEY` subprotocol, where KEY may be a client secret `ek_…` ' +
        '(POST /v1/realtime/client_secrets). A page whose `Origin` is not in CORS_ORIGINS (nor this server) gets 403. ' +
        'A plain GET (no upgrade) answers 426. See the README, "Realtime transcription".',
      querystring: Query,
      security: [{}, { bearerAuth: [] }],
      response: {
        101: z.null().describe('Switching Protocols: the WebSocket is open; the server sends `session.created` (GA) or `transcription_session.created` (beta) first.'),
        default: ErrorBody.describe('Refused before the upgrade: 400 bad intent, 401 missing or wrong key, 403 origin not allowed, 426 not a WebSocket handshake, 503 shutting down.'),
      },
    },
    preValidation: async (request) => {
      const origin = request.headers.origin;
      const hosts = [request.headers.host, String(request.headers['x-forwarded-host'] ?? '') || undefined];
      if (origin !== undefined && !originAllowed(origin, hosts, config.CORS_ORIGINS)) throw errors.originNotAllowed(origin);
      authenticate(request);
      if (lifecycle.draining) throw errors.draining();
      const { intent } = request.query as z.output<typeof Query>;
      if (intent !== undefined && intent !== 'transcription') {
        throw errors.invalidRequest(`Unsupported intent '${intent}': this server runs transcription sessions only (intent=transcription).`, 'intent');
      }
    },
    handler: async () => {
      throw errors.upgradeRequired();
    },
    wsHandler: (socket: Socket, request) => {
      const { model } = request.query as z.output<typeof Query>;
      const beta =
        /realtime=v1/i.test(String(request.headers['openai-beta'] ?? '')) ||
        protocolsOf(request.headers['sec-websocket-protocol']).includes(BETA_PROTOCOL);
      const dialect: Dialect = beta ? 'beta' : 'ga';
      const secret = secrets.get(request.raw);
      if (secret && !secret.ok) {
        const expired = secret.reason === 'expired';
        const err = new ProtocolError(
          expired ? 'The client secret has expired: mint a new one (POST /v1/realtime/client_secrets).' : 'The client secret is not one this server issued.',
          expired ? 'client_secret_expired' : 'invalid_client_secret',
        );
        socket.send(JSON.stringify({ event_id: `event_${Date.now().toString(36)}`, ...errorEvent(err) }));
        socket.close(1008, expired ? 'client secret expired' : 'invalid client secret');
        return;
      }
      const release = lifecycle.track();
      const session = realtime.open({
        dialect,
        initial: secret?.ok ? { dialect: secret.claims.dialect, session: secret.claims.session } : undefined,
        model: model ?? '',
        send: (event) => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
        },
        end: (code, reason) => socket.close(code, reason),
      });
      socket.on('close', () => {
        session?.close();
        release();
      });
      if (!session) return;
      socket.on('message', (data, isBinary) => {
        if (isBinary) session.receiveBinary();
        else session.receive(data.toString());
      });
    },
  });
};

export default realtimeRoutes;

/** ws options: answer a subprotocol and keep frames within what an append may carry. */
export const websocketOptions = (maxAppendBytes: number) => ({
  maxPayload: Math.ceil(maxAppendBytes / 3) * 4 + 64 * 1024,
  handleProtocols: (offered: Set<string>, _req: IncomingMessage) => selectProtocol(offered),
});
