/**
 * Short-lived client secrets for browsers (src/realtime/client-secrets.ts): a backend that holds
 * the API key mints one, hands it to its page, and the page opens the WebSocket with it in the
 * `openai-insecure-api-key.` subprotocol. The session configuration given here is applied to
 * every session opened with the secret (the client may still change it with session.update).
 *  - GA:   POST /v1/realtime/client_secrets   → {value, expires_at, session}
 *  - beta: POST /v1/realtime/transcription_sessions → the session with {client_secret: {value, expires_at}}
 */
import { z } from 'zod';
import { errors } from '../../errors.js';
import { newId } from '../../realtime/ids.js';
import { MAX_SECRET_LENGTH } from '../../realtime/client-secrets.js';
import { ProtocolError } from '../../realtime/protocol-error.js';
import type { Dialect } from '../../realtime/protocol.js';
import { errorResponses } from '../schemas/common.js';
import type { FastifyPluginAsyncZod } from '../type-provider.js';

const DEFAULT_TTL_SECONDS = 600;
const Expiry = z.strictObject({
  anchor: z.literal('created_at').optional(),
  seconds: z.number().int().min(10).max(7200).optional().describe('Lifetime of the secret, 10–7200 s; default 600.'),
});
/** The session is checked by the realtime protocol itself, field by field, as a session.update would be. */
const SessionObject = z.record(z.string(), z.unknown());

const GaBody = z.object({
  expires_after: Expiry.optional(),
  session: SessionObject.optional().describe("A transcription session: `{type: 'transcription', audio: {input: {...}}, include}`."),
});
const GaReply = z.object({
  value: z.string().describe('The client secret, `ek_…`.'),
  expires_at: z.number().int().describe('Seconds since the epoch.'),
  session: SessionObject.describe('The effective transcription session (as `session.created` would show it).'),
});
const BetaBody = z
  .object({ client_secret: z.strictObject({ expires_at: Expiry.optional() }).optional() })
  .catchall(z.unknown())
  .describe('A beta transcription session (`input_audio_format`, `input_audio_transcription`, `turn_detection`, `input_audio_noise_reduction`, `include`) and `client_secret.expires_at`.');
const BetaReply = z
  .object({ client_secret: z.object({ value: z.string(), expires_at: z.number().int() }) })
  .catchall(z.unknown());

/** A session the protocol refuses is a 400 naming the field and the protocol's code. */
function toApiError(err: unknown): unknown {
  if (!(err instanceof ProtocolError)) return err;
  return errors.invalidRequest(err.message, err.param, err.code);
}

const clientSecretRoutes: FastifyPluginAsyncZod = async (app) => {
  const { realtime } = app.services;

  const mint = (dialect: Dialect, session: Record<string, unknown>, ttl: number) => {
    const expiresAt = Math.floor(Date.now() / 1000) + ttl;
    let rendered: Record<string, unknown>;
    try {
      rendered = realtime.configure(dialect, session, newId('sess'), expiresAt);
    } catch (err) {
      throw toApiError(err);
    }
    const value = realtime.secrets.mint({ expiresAt, dialect, session });
    if (value.length > MAX_SECRET_LENGTH) throw errors.invalidRequest(`The session configuration is too large for a client secret (at most about ${Math.floor((MAX_SECRET_LENGTH * 3) / 4) - 200} bytes).`, 'session');
    return { value, expiresAt, rendered };
  };

  // https://platform.openai.com/docs/api-reference/realtime-sessions/create-realtime-client-secret
  app.post('/v1/realtime/client_secrets', {
    config: { auth: true },
    schema: {
      tags: ['realtime'],
      operationId: 'createRealtimeClientSecret',
      summary: 'Create a client secret for the realtime WebSocket',
      description: 'Mints a short-lived `ek_…` secret a browser passes in the `openai-insecure-api-key.` subprotocol; the session configuration given is applied to every session it opens.',
      security: [{}, { bearerAuth: [] }],
      body: GaBody,
      response: { 200: GaReply, ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const session = request.body.session ?? { type: 'transcription' };
    if (session.type === 'realtime') throw errors.invalidRequest("This server only runs transcription sessions: set session.type to 'transcription'.", 'session.type');
    const { value, expiresAt, rendered } = mint('ga', session, request.body.expires_after?.seconds ?? DEFAULT_TTL_SECONDS);
    return { value, expires_at: expiresAt, session: rendered };
  });

  // https://platform.openai.com/docs/api-reference/realtime-sessions/create-transcription-session
  app.post('/v1/realtime/transcription_sessions', {
    config: { auth: true },
    schema: {
      tags: ['realtime'],
      operationId: 'createRealtimeTranscriptionSession',
      summary: 'Create a transcription session and its client secret (beta)',
      description: "The beta API's way to mint an `ek_…` client secret: answers the session with `client_secret: {value, expires_at}`.",
      security: [{}, { bearerAuth: [] }],
      body: BetaBody,
      response: { 200: BetaReply, ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const { client_secret: cs, ...session } = request.body;
    const { value, expiresAt, rendered } = mint('beta', session, cs?.expires_at?.seconds ?? DEFAULT_TTL_SECONDS);
    return { ...rendered, client_secret: { value, expires_at: expiresAt } };
  });
};

export default clientSecretRoutes;
