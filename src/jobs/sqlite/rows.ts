/** Row ↔ record mapping for the SQLite store. JSON columns hold the nested fields. */
import type { DeliveryRecord, JobRecord } from '../types.js';

export interface JobRow {
  id: string;
  status: string;
  created_at_ms: number;
  started_at_ms: number | null;
  completed_at_ms: number | null;
  progress: number;
  audio_seconds: number | null;
  error: string | null;
  metadata: string;
  params: string;
  input: string;
  result: string | null;
  attempts: number;
  max_attempts: number;
  webhook_url: string | null;
  idempotency_key: string | null;
  owner: string;
  cancel_requested: number;
  run_after_ms: number;
  lease_owner: string | null;
  lease_expires_ms: number | null;
  updated_at_ms: number;
}

export interface DeliveryRow {
  id: string;
  job_id: string;
  event: string;
  url: string;
  payload: string;
  status: string;
  attempts: string;
  next_attempt_ms: number | null;
  lease_owner: string | null;
  lease_expires_ms: number | null;
  created_at_ms: number;
}

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

export function toJob(r: JobRow): JobRecord {
  const params = JSON.parse(r.params) as JobRecord['params'];
  return {
    id: r.id,
    object: 'audio.job',
    status: r.status as JobRecord['status'],
    created_at: Math.floor(r.created_at_ms / 1000),
    started_at: seconds(r.started_at_ms),
    completed_at: seconds(r.completed_at_ms),
    model: params.model,
    task: params.task,
    response_format: params.response_format,
    progress: r.progress,
    audio_seconds: r.audio_seconds,
    error: r.error === null ? null : JSON.parse(r.error),
    metadata: JSON.parse(r.metadata),
    owner: r.owner,
    params,
    input: JSON.parse(r.input),
    result: r.result === null ? null : JSON.parse(r.result),
    attempts: r.attempts,
    max_attempts: r.max_attempts,
    webhook_url: r.webhook_url,
    idempotency_key: r.idempotency_key,
    cancel_requested: r.cancel_requested === 1,
    updated_at_ms: r.updated_at_ms,
  };
}

export function toDelivery(r: DeliveryRow): DeliveryRecord {
  return {
    id: r.id,
    job_id: r.job_id,
    event: r.event as DeliveryRecord['event'],
    url: r.url,
    payload: r.payload,
    status: r.status as DeliveryRecord['status'],
    attempts: JSON.parse(r.attempts),
    next_attempt_at_ms: r.status === 'pending' ? r.next_attempt_ms : null,
    created_at_ms: r.created_at_ms,
  };
}
