/**
 * Request ids and client-disconnect signals.
 *
 * Why not Fastify's request.signal: in Fastify 5.12 on Node 20 it is tied to the
 * IncomingMessage 'close' event, which fires as soon as the request body has been read, so it
 * reports "aborted" for every upload while the client is still waiting. The response side is
 * what tells a real disconnect: ServerResponse 'close' before 'finish'.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import { errors } from '../../errors.js';

/** Honour a caller's X-Request-Id when it is sane (tracing across proxies); else mint one. */
export function genReqId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

export default fp(
  async (app) => {
    app.decorateRequest('clientSignal', null as unknown as AbortSignal);
    app.addHook('onRequest', async (request, reply) => {
      // The OpenAI SDKs expose this header as error.requestID / response._request_id.
      reply.header('x-request-id', request.id);
      const ac = new AbortController();
      request.clientSignal = ac.signal;
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) ac.abort(errors.aborted());
      });
    });
  },
  { name: 'request-context', fastify: '5.x' },
);
