/**
 * What the HTTP layer adds to Fastify's types: the services decorator, per-route policy in
 * `config`, and per-request state. Imported for its side effect by app.ts and the plugins.
 */
import type { Config } from '../config.js';
import type { ModelPool } from '../engine/types.js';
import type { Lifecycle } from '../services/lifecycle.js';
import type { Metrics } from '../services/metrics.js';
import type { ModelCatalog } from '../services/models.js';
import type { RealtimeService } from '../realtime/service.js';
import type { TranscriptionService } from '../services/transcription.js';
import type { JobsService } from '../jobs/service.js';

export interface AppServices {
  config: Config;
  models: ModelCatalog;
  pool: ModelPool;
  transcription: TranscriptionService;
  lifecycle: Lifecycle;
  metrics: Metrics;
  realtime: RealtimeService;
  /** Async jobs (Prefer: respond-async, /v1/audio/jobs). */
  jobs: JobsService;
}

export interface UploadPolicy {
  /** Most file parts accepted; one more is a 400. */
  maxFiles: number;
  /** Collect every file part under `file`, whatever its field name (the legacy endpoint). */
  anyFileField?: boolean;
  /** Byte limit per file for this route (async jobs); default MAX_UPLOAD_BYTES. */
  maxBytes?: number;
  /** Decode each file part while it arrives (DECODE_WHILE_UPLOADING); the file stays the fallback. */
  decodeEarly?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
  }
  interface FastifyRequest {
    /** Fires when the client goes away before the reply is finished. */
    clientSignal: AbortSignal;
    /** Per-request spool directory, removed when the reply is sent. */
    uploadDir: string | null;
  }
  interface FastifyContextConfig {
    /** Needs a bearer key when API_KEYS is set. */
    auth?: boolean;
    /** Inference work: refused while draining and counted for the drain. */
    work?: boolean;
    /** Multipart upload route: spool files and validate fields against the body schema. */
    upload?: UploadPolicy;
  }
}
