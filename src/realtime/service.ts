/**
 * The realtime service: opens sessions, owns the per-model session cap, and turns a session's
 * PCM decode into a call on the one transcription path (pool priority 'live', word timestamps).
 * Knows nothing of Fastify or ws; the route hands it text frames and a send function.
 */
import { randomBytes } from 'node:crypto';
import type { VoiceActivityDetector } from '../engine/types.js';
import { createClientSecrets, type ClientSecrets } from './client-secrets.js';
import { parseClientEvent, type Dialect } from './protocol.js';
import { checkedConfig, defaultConfig } from './session-config.js';
import { renderSession } from './session-render.js';
import { RealtimeSession } from './session.js';
import type { PcmTranscribeRequest, RealtimeLimits, RealtimeObserver, SessionDeps, SessionOptions } from './session-deps.js';
import type { Transcript } from '../engine/types.js';

export interface RealtimeServiceDeps {
  transcribe(req: PcmTranscribeRequest): Promise<Transcript>;
  resolveModel: SessionDeps['resolveModel'];
  languageCode: SessionDeps['languageCode'];
  defaultModel: string;
  vad?: VoiceActivityDetector;
  limits: RealtimeLimits;
  observer?: RealtimeObserver;
  /** Signs client secrets (client-secrets.ts signingKey); absent: a random key of this process. */
  secretKey?: Buffer;
}

export interface RealtimeService {
  /** Starts a session (sends `*.created`); undefined when refused (the refusal was sent and the socket ended). */
  open(opts: SessionOptions): RealtimeSession | undefined;
  /**
   * Checks a session configuration as a session.update of that dialect would (throws its
   * ProtocolError) and renders the session it gives: what a client secret is minted with.
   */
  configure(dialect: Dialect, session: Record<string, unknown>, id: string, expiresAt: number): Record<string, unknown>;
  /** Open sessions per model. */
  sessions(): Record<string, number>;
  readonly vadAvailable: boolean;
  /** Mints and verifies `ek_…` client secrets. */
  readonly secrets: ClientSecrets;
}

export function createRealtimeService(deps: RealtimeServiceDeps): RealtimeService {
  const counts = new Map<string, number>();
  const slots = {
    tryAcquire(model: string) {
      const n = counts.get(model) ?? 0;
      if (n >= deps.limits.maxSessionsPerModel) return false;
      counts.set(model, n + 1);
      return true;
    },
    release(model: string) {
      const n = (counts.get(model) ?? 1) - 1;
      if (n <= 0) counts.delete(model);
      else counts.set(model, n);
    },
  };
  const sessionDeps: SessionDeps = { ...deps, slots };
  return {
    open(opts) {
      const session = new RealtimeSession(sessionDeps, opts);
      return session.start() ? session : undefined;
    },
    configure(dialect, session, id, expiresAt) {
      const event = parseClientEvent(JSON.stringify({ type: dialect === 'beta' ? 'transcription_session.update' : 'session.update', session }));
      const base = defaultConfig(deps.defaultModel, deps.vad !== undefined);
      const { config } = checkedConfig(deps, base, dialect, event.type === 'session.update' ? event.patch : {}, null);
      return renderSession(dialect, id, config, expiresAt);
    },
    sessions: () => Object.fromEntries(counts),
    vadAvailable: deps.vad !== undefined,
    secrets: createClientSecrets(deps.secretKey ?? randomBytes(32)),
  };
}
