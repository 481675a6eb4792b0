/**
 * A session.update checked against what this server can do: the VAD model, the model catalogue,
 * the model's languages. Returns the next configuration or throws a ProtocolError naming the
 * field in the client's dialect; applying it (model slots, decoders) is the session's business.
 */
import { ProtocolError, toProtocolError } from './protocol-error.js';
import { SERVER_VAD_DEFAULTS, type Dialect, type SessionConfig, type SessionPatch } from './protocol.js';
import type { SessionDeps } from './session-deps.js';
import { paramPath } from './session-render.js';

type Checks = Pick<SessionDeps, 'vad' | 'resolveModel' | 'languageCode'>;

/** A new session's configuration: server VAD when the server has the VAD model, else manual commit. */
export const defaultConfig = (model: string, vad: boolean): SessionConfig => ({
  format: 'pcm16',
  model,
  language: null,
  prompt: null,
  turnDetection: vad ? { type: 'server_vad', ...SERVER_VAD_DEFAULTS } : null,
  noiseReduction: null,
  include: [],
  delay: null,
});

export function checkedConfig(
  deps: Checks,
  current: SessionConfig,
  dialect: Dialect,
  patch: SessionPatch,
  eventId: string | null,
): { config: SessionConfig; model: { name: string; multilingual: boolean } } {
  const next: SessionConfig = { ...current, ...patch };
  if (next.turnDetection && !deps.vad) {
    throw new ProtocolError(
      `turn_detection '${next.turnDetection.type}' needs the Silero VAD model, which this server has not loaded; send turn_detection: null and commit the buffer yourself.`,
      'vad_unavailable',
      paramPath(dialect, 'turn_detection'),
      eventId,
    );
  }
  let model: { name: string; multilingual: boolean };
  try {
    model = deps.resolveModel(next.model);
  } catch (err) {
    const e = toProtocolError(err);
    throw new ProtocolError(e.message, e.code, paramPath(dialect, 'model'), eventId, e.type);
  }
  if (next.language) {
    const code = deps.languageCode(next.language);
    if (!code) throw new ProtocolError(`Invalid value for language: '${next.language}' is not a language Whisper knows.`, 'invalid_value', paramPath(dialect, 'language'), eventId);
    if (!model.multilingual && code !== 'en') {
      throw new ProtocolError(`Model '${next.model}' is English-only; it cannot transcribe language '${next.language}'.`, 'unsupported_language', paramPath(dialect, 'language'), eventId);
    }
    next.language = code;
  }
  return { config: next, model };
}
