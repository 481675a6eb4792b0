/**
 * Prometheus series for async jobs, registered on the app's registry: jobs by status and the
 * backlog in audio seconds (read from the store at scrape time, so with JOBS_BACKEND=redis every
 * replica reports the shared backlog an autoscaler can act on), and webhook attempt failures.
 */
import client from 'prom-client';
import type { DeliveryResult, JobStats } from './types.js';

export interface JobMetricsSource {
  stats(): Promise<JobStats>;
  deliveryStats(): Promise<{ pending: number; delivered: number; failed: number }>;
}

export function createJobMetrics(registry: client.Registry) {
  const registers = [registry];
  let source: JobMetricsSource | undefined;
  new client.Gauge({
    name: 'whisper_jobs',
    help: 'Async jobs in the store, by status.',
    labelNames: ['status'],
    registers,
    async collect() {
      if (!source) return;
      const s = await source.stats();
      for (const [status, n] of Object.entries(s.counts)) this.set({ status }, n);
    },
  });
  new client.Gauge({
    name: 'whisper_jobs_backlog_audio_seconds',
    help: 'Seconds of audio in queued and processing jobs (durations known once decoded).',
    registers,
    async collect() {
      if (source) this.set((await source.stats()).backlog_audio_seconds);
    },
  });
  new client.Gauge({
    name: 'whisper_webhook_deliveries',
    help: 'Webhook deliveries in the store, by status.',
    labelNames: ['status'],
    registers,
    async collect() {
      if (!source) return;
      for (const [status, n] of Object.entries(await source.deliveryStats())) this.set({ status }, n);
    },
  });
  const failures = new client.Counter({
    name: 'whisper_webhook_attempt_failures_total',
    help: 'Failed webhook delivery attempts, by reason (an HTTP status class, or the transport error).',
    labelNames: ['reason'],
    registers,
  });
  return {
    attach(s: JobMetricsSource) {
      source = s;
    },
    webhookFailed(r: Extract<DeliveryResult, { ok: false }>) {
      failures.inc({ reason: r.status_code === null ? 'transport' : `${Math.floor(r.status_code / 100)}xx` });
    },
  };
}
