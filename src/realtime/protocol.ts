/**
 * OpenAI's realtime transcription contract, both dialects: parsing client events into one
 * normalized form, and rendering session state back in the dialect the client speaks.
 *  - beta: `transcription_session.update` with flat fields, answered `transcription_session.*`;
 *  - GA:   `session.update` with `session.audio.input.*`, answered `session.*`.
 * Pure functions, no I/O: the session (session.ts) decides what to do with a parsed event;
 * session-render.ts writes the session object back.
 */
import { z } from 'zod';
import { decodeBase64, type InputFormat } from './audio.js';
import { ProtocolError } from './protocol-error.js';

export { ProtocolError } from './protocol-error.js';

export type Dialect = 'beta' | 'ga';

export interface TurnDetection {
  type: 'server_vad' | 'semantic_vad';
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
  /** semantic_vad only, as the client sent it. */
  eagerness?: 'low' | 'medium' | 'high' | 'auto';
}

export interface SessionConfig {
  format: InputFormat;
  /** As the client named it (aliases allowed). */
  model: string;
  language: string | null;
  prompt: string | null;
  turnDetection: TurnDetection | null;
  noiseReduction: 'near_field' | 'far_field' | null;
  include: string[];
  /** The transcription `delay` (newer OpenAI models): how long text may wait for accuracy; see cadence.ts. */
  delay: Delay | null;
}

export const DELAYS = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export type Delay = (typeof DELAYS)[number];

/** What a session.update asks to change; absent fields stay as they are. */
export type SessionPatch = Partial<SessionConfig>;

export type ClientEvent =
  | { type: 'session.update'; dialect: Dialect; eventId?: string; patch: SessionPatch }
  | { type: 'input_audio_buffer.append'; eventId?: string; audio: string }
  | { type: 'input_audio_buffer.commit'; eventId?: string }
  | { type: 'input_audio_buffer.clear'; eventId?: string };

/** semantic_vad's eagerness mapped onto server VAD's silence wait (see README, Realtime). */
export const SEMANTIC_SILENCE_MS: Readonly<Record<NonNullable<TurnDetection['eagerness']>, number>> = {
  high: 300,
  medium: 700,
  auto: 700,
  low: 1500,
};

export const SERVER_VAD_DEFAULTS = { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 } as const;

const str = z.string().max(10_000);
const transcription = z.strictObject({
  model: str.optional(),
  language: str.nullable().optional(),
  prompt: str.nullable().optional(),
  delay: z.enum(DELAYS).nullable().optional(),
});
const turnDetection = z
  .strictObject({
    type: z.enum(['server_vad', 'semantic_vad']),
    threshold: z.number().min(0).max(1).optional(),
    prefix_padding_ms: z.number().int().min(0).max(10_000).optional(),
    silence_duration_ms: z.number().int().min(0).max(10_000).optional(),
    eagerness: z.enum(['low', 'medium', 'high', 'auto']).optional(),
    // Accepted and ignored: a transcription session never creates responses.
    create_response: z.boolean().optional(),
    interrupt_response: z.boolean().optional(),
    idle_timeout_ms: z.number().int().nullable().optional(),
  })
  .nullable();
const noiseReduction = z.strictObject({ type: z.enum(['near_field', 'far_field']) }).nullable();
const include = z.array(z.enum(['item.input_audio_transcription.logprobs'])).max(4);

const betaSession = z.strictObject({
  input_audio_format: z.enum(['pcm16', 'g711_ulaw', 'g711_alaw']).optional(),
  input_audio_transcription: transcription.nullable().optional(),
  turn_detection: turnDetection.optional(),
  input_audio_noise_reduction: noiseReduction.optional(),
  include: include.nullable().optional(),
  modalities: z.array(z.enum(['text', 'audio'])).optional(),
});

const gaFormat = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('audio/pcm'), rate: z.literal(24_000).optional() }),
  z.strictObject({ type: z.literal('audio/pcmu') }),
  z.strictObject({ type: z.literal('audio/pcma') }),
]);
const gaSession = z.strictObject({
  type: z.literal('transcription'),
  audio: z
    .strictObject({
      input: z
        .strictObject({
          format: gaFormat.optional(),
          transcription: transcription.optional(),
          turn_detection: turnDetection.optional(),
          noise_reduction: noiseReduction.optional(),
        })
        .optional(),
    })
    .optional(),
  include: include.nullable().optional(),
});

const GA_FORMAT: Record<string, InputFormat> = { 'audio/pcm': 'pcm16', 'audio/pcmu': 'g711_ulaw', 'audio/pcma': 'g711_alaw' };
export const GA_FORMAT_NAME: Record<InputFormat, string> = { pcm16: 'audio/pcm', g711_ulaw: 'audio/pcmu', g711_alaw: 'audio/pcma' };

function toTurnDetection(t: z.output<typeof turnDetection>): TurnDetection | null {
  if (!t) return null;
  if (t.type === 'semantic_vad') {
    const eagerness = t.eagerness ?? 'auto';
    return { type: 'semantic_vad', eagerness, threshold: SERVER_VAD_DEFAULTS.threshold, prefixPaddingMs: SERVER_VAD_DEFAULTS.prefixPaddingMs, silenceDurationMs: SEMANTIC_SILENCE_MS[eagerness] };
  }
  return {
    type: 'server_vad',
    threshold: t.threshold ?? SERVER_VAD_DEFAULTS.threshold,
    prefixPaddingMs: t.prefix_padding_ms ?? SERVER_VAD_DEFAULTS.prefixPaddingMs,
    silenceDurationMs: t.silence_duration_ms ?? SERVER_VAD_DEFAULTS.silenceDurationMs,
  };
}

function transcriptionPatch(t: z.output<typeof transcription> | null | undefined): SessionPatch {
  if (!t) return {};
  const p: SessionPatch = {};
  if (t.model !== undefined) p.model = t.model;
  if (t.language !== undefined) p.language = t.language || null;
  if (t.prompt !== undefined) p.prompt = t.prompt || null;
  if (t.delay !== undefined) p.delay = t.delay;
  return p;
}

/** The value at `path` inside `input`, undefined when any step is missing. */
function at(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function zodError(err: z.ZodError, prefix: string, eventId: string | null, input: unknown): ProtocolError {
  const issue = err.issues[0];
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const path = [prefix, ...issue.path.map(String), ...(keys.length ? [keys[0]] : [])].filter(Boolean).join('.');
  if (keys.length) return new ProtocolError(`Unknown parameter: '${path}'.`, 'unknown_parameter', path, eventId);
  // zod 4 leaves issue.input out unless asked: look the value up (a wrong type is not a missing field).
  if (issue.code === 'invalid_type' && at(input, issue.path) === undefined) {
    return new ProtocolError(`Missing required parameter: '${path}'.`, 'missing_required_parameter', path, eventId);
  }
  return new ProtocolError(`Invalid value for '${path}': ${issue.message}.`, 'invalid_value', path, eventId);
}

const EVENT_TYPES = ['session.update', 'transcription_session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear'];

/** Parses one text frame. Throws ProtocolError (with the client's event_id when it had one). */
export function parseClientEvent(text: string): ClientEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ProtocolError('The event is not valid JSON.', 'invalid_json');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ProtocolError('The event must be a JSON object with a `type`.', 'invalid_event');
  }
  const obj = raw as Record<string, unknown>;
  const eventId = typeof obj.event_id === 'string' ? obj.event_id : undefined;
  const eid = eventId ?? null;
  if (typeof obj.type !== 'string') throw new ProtocolError("Missing required parameter: 'type'.", 'missing_required_parameter', 'type', eid);
  const { type } = obj;
  if (!EVENT_TYPES.includes(type)) {
    throw new ProtocolError(
      `Invalid value: '${type.slice(0, 100)}'. Supported values in a transcription session are: ${EVENT_TYPES.map((t) => `'${t}'`).join(', ')}.`,
      'invalid_value',
      'type',
      eid,
    );
  }
  const extra = Object.keys(obj).filter((k) => !['type', 'event_id', type.endsWith('update') ? 'session' : 'audio'].includes(k));
  if (extra.length) throw new ProtocolError(`Unknown parameter: '${extra[0]}'.`, 'unknown_parameter', extra[0], eid);

  switch (type) {
    case 'input_audio_buffer.append':
      if (typeof obj.audio !== 'string') {
        throw obj.audio === undefined
          ? new ProtocolError("Missing required parameter: 'audio'.", 'missing_required_parameter', 'audio', eid)
          : new ProtocolError("Invalid type for 'audio': expected a base64 string.", 'invalid_type', 'audio', eid);
      }
      return { type, eventId, audio: obj.audio };
    case 'input_audio_buffer.commit':
    case 'input_audio_buffer.clear':
      return { type, eventId };
    case 'transcription_session.update': {
      const parsed = betaSession.safeParse(obj.session ?? {});
      if (!parsed.success) throw zodError(parsed.error, 'session', eid, obj.session ?? {});
      const s = parsed.data;
      const patch: SessionPatch = { ...transcriptionPatch(s.input_audio_transcription) };
      if (s.input_audio_format) patch.format = s.input_audio_format;
      if (s.turn_detection !== undefined) patch.turnDetection = toTurnDetection(s.turn_detection);
      if (s.input_audio_noise_reduction !== undefined) patch.noiseReduction = s.input_audio_noise_reduction?.type ?? null;
      if (s.include !== undefined) patch.include = s.include ?? [];
      return { type: 'session.update', dialect: 'beta', eventId, patch };
    }
    default: {
      // session.update (GA)
      const session = obj.session as Record<string, unknown> | undefined;
      if (session && typeof session === 'object' && session.type === 'realtime') {
        throw new ProtocolError(
          "This server only runs transcription sessions: set session.type to 'transcription' (connect with ?intent=transcription).",
          'invalid_value',
          'session.type',
          eid,
        );
      }
      const parsed = gaSession.safeParse(session ?? {});
      if (!parsed.success) throw zodError(parsed.error, 'session', eid, session ?? {});
      const input = parsed.data.audio?.input ?? {};
      const patch: SessionPatch = { ...transcriptionPatch(input.transcription) };
      if (input.format) patch.format = GA_FORMAT[input.format.type];
      if (input.turn_detection !== undefined) patch.turnDetection = toTurnDetection(input.turn_detection);
      if (input.noise_reduction !== undefined) patch.noiseReduction = input.noise_reduction?.type ?? null;
      if (parsed.data.include !== undefined) patch.include = parsed.data.include ?? [];
      return { type: 'session.update', dialect: 'ga', eventId, patch };
    }
  }
}

/** The bytes of an append's base64 `audio`, within the per-append limit. Throws ProtocolError. */
export function appendPayload(audio: string, maxBytes: number, eventId: string | null): Buffer {
  if (audio.length > Math.ceil(maxBytes / 3) * 4) {
    throw new ProtocolError(`Audio in one append is limited to ${maxBytes} bytes; send smaller chunks.`, 'audio_too_large', 'audio', eventId);
  }
  const bytes = decodeBase64(audio);
  if (!bytes) throw new ProtocolError("Invalid 'audio': expected base64-encoded audio bytes.", 'invalid_value', 'audio', eventId);
  return bytes;
}
