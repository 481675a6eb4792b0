/** Prometheus series for realtime sessions, registered on the app's registry. */
import client from 'prom-client';
import type { RealtimeObserver } from './session-deps.js';

export function createRealtimeMetrics(registry: client.Registry): RealtimeObserver {
  const registers = [registry];
  const open = new client.Gauge({ name: 'whisper_realtime_sessions_open', help: 'Open realtime transcription sessions, per model.', labelNames: ['model'], registers });
  const latency = new client.Histogram({
    name: 'whisper_realtime_turn_latency_seconds',
    help: 'Seconds from the end of a turn (commit, or end of speech as the VAD saw it) to its completed event; includes the VAD silence wait.',
    labelNames: ['model'],
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
    registers,
  });
  const vadWait = new client.Histogram({
    name: 'whisper_realtime_vad_wait_seconds',
    help: 'Part of the turn latency spent waiting for silence_duration_ms (server_vad turns).',
    labelNames: ['model'],
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2],
    registers,
  });
  const lag = new client.Histogram({
    name: 'whisper_realtime_delta_lag_seconds',
    help: 'Seconds from the arrival of the audio a delta covers to the delta being sent.',
    labelNames: ['model'],
    buckets: [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10],
    registers,
  });
  return {
    sessionOpened: (model) => open.inc({ model }),
    sessionClosed: (model) => open.dec({ model }),
    turnCompleted(model, seconds, wait) {
      latency.observe({ model }, seconds);
      if (wait > 0) vadWait.observe({ model }, wait);
    },
    deltaSent: (model, seconds) => lag.observe({ model }, Math.max(0, seconds)),
  };
}
