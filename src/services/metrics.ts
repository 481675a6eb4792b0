/**
 * Prometheus metrics. A fresh Registry per app: prom-client's global one throws "already
 * registered" as soon as a second app is built in the same process (every test file does).
 * Gauges are read from pool.stats() at scrape time, so they are never stale; counters and
 * histograms are fed by pool events and by the transcription service.
 * whisper_queue_depth is the autoscaling signal (KEDA / HPA external metric): keep its name.
 */
import client from 'prom-client';
import type { ModelPool, PoolEvent } from '../engine/types.js';
import type { JobObserver } from './transcription.js';

export interface Metrics extends JobObserver {
  readonly registry: client.Registry;
  readonly httpDuration: client.Histogram<'method' | 'route' | 'status_code'>;
}

export function createMetrics(pool: Pick<ModelPool, 'stats' | 'on'>): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const reg = [registry];

  const gauge = (name: string, help: string, read: (s: ReturnType<ModelPool['stats']>[number]) => number) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['model'],
      registers: reg,
      collect() {
        this.reset();
        for (const s of pool.stats()) this.set({ model: s.model }, read(s));
      },
    });
  gauge('whisper_queue_depth', 'Jobs waiting for a slot, per model (the autoscaling signal).', (s) => s.queued);
  gauge('whisper_inflight_requests', 'Jobs holding a slot, per model.', (s) => s.inFlight);
  gauge('whisper_pool_concurrency', 'Slots per model (POOL_CONCURRENCY).', (s) => s.concurrency);
  gauge('whisper_model_loaded', '1 when the model is loaded in memory.', (s) => (s.loaded ? 1 : 0));

  const audioSeconds = new client.Counter({
    name: 'whisper_audio_seconds_total',
    help: 'Seconds of audio transcribed or translated.',
    labelNames: ['model', 'task'],
    registers: reg,
  });
  const processingSeconds = new client.Counter({
    name: 'whisper_processing_seconds_total',
    help: 'Seconds jobs held a model slot (compute), all outcomes.',
    labelNames: ['model'],
    registers: reg,
  });
  const rtf = new client.Histogram({
    name: 'whisper_realtime_factor',
    help: 'Compute seconds per second of audio (lower is faster).',
    labelNames: ['model'],
    buckets: [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5],
    registers: reg,
  });
  const queueWait = new client.Histogram({
    name: 'whisper_queue_wait_seconds',
    help: 'Seconds a job waited for a slot.',
    labelNames: ['model'],
    buckets: [0.005, 0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: reg,
  });
  const loadSeconds = new client.Histogram({
    name: 'whisper_model_load_seconds',
    help: 'Seconds to load a model.',
    labelNames: ['model'],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: reg,
  });
  const aborted = new client.Counter({
    name: 'whisper_jobs_aborted_total',
    help: 'Jobs cancelled, mostly by client disconnects.',
    labelNames: ['model'],
    registers: reg,
  });
  const rejected = new client.Counter({
    name: 'whisper_jobs_rejected_total',
    help: 'Jobs refused before running.',
    labelNames: ['model', 'reason'],
    registers: reg,
  });
  const httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration, by route template.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: reg,
  });

  pool.on((e: PoolEvent) => {
    switch (e.kind) {
      case 'load':
        if (e.ok) loadSeconds.observe({ model: e.model }, e.seconds);
        break;
      case 'start':
        queueWait.observe({ model: e.model }, e.waitSeconds);
        break;
      case 'finish':
        processingSeconds.inc({ model: e.model }, e.seconds);
        if (e.outcome === 'aborted') aborted.inc({ model: e.model });
        break;
      case 'reject':
        rejected.inc({ model: e.model, reason: 'queue_full' });
        break;
    }
  });

  return {
    registry,
    httpDuration,
    jobDone({ model, task, audioSeconds: seconds, processingSeconds: compute }) {
      audioSeconds.inc({ model, task }, seconds);
      if (seconds > 0) rtf.observe({ model }, compute / seconds);
    },
  };
}
