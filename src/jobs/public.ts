/**
 * The views of a JobRecord that leave the server: the API's `audio.job` object and the webhook
 * body. Pure, shared by every store (the webhook body is built inside the terminal transition).
 */
import type { DeliveryRecord, JobEventType, JobRecord } from './types.js';

export interface PublicWebhookDelivery {
  id: string;
  status: DeliveryRecord['status'];
  attempts: { at: number; status_code: number | null; error: string | null; duration_ms: number }[];
  next_attempt_at: number | null;
}

export interface PublicJob {
  id: string;
  object: 'audio.job';
  status: JobRecord['status'];
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  model: string;
  task: JobRecord['task'];
  response_format: JobRecord['response_format'];
  progress: number;
  audio_seconds: number | null;
  error: JobRecord['error'];
  metadata: Record<string, string>;
  attempts: number;
  webhook_url: string | null;
  /** Delivery history of the job's webhook, when it has one and it was asked for. */
  webhook?: PublicWebhookDelivery | null;
}

export function toPublicJob(job: JobRecord, deliveries?: DeliveryRecord[]): PublicJob {
  const out: PublicJob = {
    id: job.id,
    object: 'audio.job',
    status: job.status,
    created_at: job.created_at,
    started_at: job.started_at,
    completed_at: job.completed_at,
    model: job.model,
    task: job.task,
    response_format: job.response_format,
    progress: round(job.progress),
    audio_seconds: job.audio_seconds === null ? null : round(job.audio_seconds),
    error: job.error,
    metadata: job.metadata,
    attempts: job.attempts,
    webhook_url: job.webhook_url,
  };
  if (deliveries && job.webhook_url) {
    const d = deliveries[0];
    out.webhook = d
      ? {
          id: d.id,
          status: d.status,
          attempts: d.attempts.map((a) => ({
            at: Math.floor(a.at_ms / 1000),
            status_code: a.status_code,
            error: a.error,
            duration_ms: a.duration_ms,
          })),
          next_attempt_at: d.next_attempt_at_ms === null ? null : Math.ceil(d.next_attempt_at_ms / 1000),
        }
      : null;
  }
  return out;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The webhook body: `{type, timestamp, data: <job object>}`, fixed for every retry. */
export function webhookPayload(job: JobRecord, event: JobEventType, nowMs: number): string {
  return JSON.stringify({ type: event, timestamp: new Date(nowMs).toISOString(), data: toPublicJob(job) });
}
