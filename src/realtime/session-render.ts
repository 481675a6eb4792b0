/** The session object of `*.created` / `*.updated` in the client's dialect, and where each field lives there. */
import { GA_FORMAT_NAME, type Dialect, type SessionConfig, type TurnDetection } from './protocol.js';

/** Where a session field lives in each dialect, for error params. */
export const paramPath = (dialect: Dialect, field: 'model' | 'language' | 'turn_detection' | 'format' | 'delay'): string => {
  if (dialect === 'beta') {
    return { model: 'session.input_audio_transcription.model', language: 'session.input_audio_transcription.language', turn_detection: 'session.turn_detection', format: 'session.input_audio_format', delay: 'session.input_audio_transcription.delay' }[field];
  }
  return `session.audio.input.${{ model: 'transcription.model', language: 'transcription.language', turn_detection: 'turn_detection', format: 'format', delay: 'transcription.delay' }[field]}`;
};

function turnDetectionOut(t: TurnDetection | null): Record<string, unknown> | null {
  if (!t) return null;
  if (t.type === 'semantic_vad') return { type: 'semantic_vad', eagerness: t.eagerness ?? 'auto' };
  return { type: 'server_vad', threshold: t.threshold, prefix_padding_ms: t.prefixPaddingMs, silence_duration_ms: t.silenceDurationMs };
}

/** The session object of `*.created` / `*.updated`, in the client's dialect. */
export function renderSession(dialect: Dialect, id: string, c: SessionConfig, expiresAt: number): Record<string, unknown> {
  const transcription = { model: c.model, language: c.language, prompt: c.prompt, ...(c.delay ? { delay: c.delay } : {}) };
  const noise = c.noiseReduction ? { type: c.noiseReduction } : null;
  if (dialect === 'beta') {
    return {
      id,
      object: 'realtime.transcription_session',
      expires_at: expiresAt,
      input_audio_format: c.format,
      input_audio_transcription: transcription,
      turn_detection: turnDetectionOut(c.turnDetection),
      input_audio_noise_reduction: noise,
      include: c.include,
      modalities: ['text'],
    };
  }
  return {
    type: 'transcription',
    id,
    object: 'realtime.transcription_session',
    expires_at: expiresAt,
    audio: {
      input: {
        format: c.format === 'pcm16' ? { type: 'audio/pcm', rate: 24_000 } : { type: GA_FORMAT_NAME[c.format] },
        transcription,
        turn_detection: turnDetectionOut(c.turnDetection),
        noise_reduction: noise,
      },
    },
    include: c.include,
  };
}

