/**
 * Configuration: one zod schema over process.env, parsed once into a frozen, typed Config.
 * main.ts imports this file before anything else (it must size UV_THREADPOOL_SIZE before the
 * native addon loads), so it imports nothing heavier than zod and node built-ins.
 */
import os from 'node:os';
import { z } from 'zod';

const list = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Parses "name=target,other=target" into a map; malformed pairs are schema errors. */
const aliasList = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const out: Record<string, string> = {};
    for (const pair of list(raw)) {
      const [name, target, ...rest] = pair.split('=').map((s) => s.trim());
      if (!name || !target || rest.length > 0) {
        ctx.addIssue({ code: 'custom', message: `expected name=target, got '${pair}'` });
        continue;
      }
      out[name] = target;
    }
    return out;
  });

const EnvSchema = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: int(0, 65535).default(8000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  MODELS_DIR: z.string().default('./models'),
  DEFAULT_MODEL: z.string().default('tiny.en'),
  MODEL_ALIASES: aliasList,
  PRELOAD_MODELS: z.string().optional().transform((raw) => (raw === undefined ? undefined : list(raw))),
  MODEL_IDLE_TTL_SECONDS: int(0).default(0),
  // Each slot keeps one reused whisper_state (KV caches); 16 is a memory bound, not a crash limit.
  POOL_CONCURRENCY: int(1, 16).default(2),
  QUEUE_MAX: int(0).default(32),
  THREADS_PER_REQUEST: int(1, 256).optional(),
  BEAM_SIZE: int(1, 16).default(5),
  BEST_OF: int(1, 16).default(5),
  MAX_UPLOAD_BYTES: int(1).default(26_214_400),
  MAX_AUDIO_SECONDS: z.coerce.number().positive().default(7200),
  MAX_FILES_PER_REQUEST: int(1, 1000).default(16),
  API_KEYS: z.string().optional().transform(list),
  METRICS_REQUIRE_AUTH: z.stringbool().default(false),
  CORS_ORIGINS: z.string().optional().transform(list),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(30),
  TMP_DIR: z.string().default(os.tmpdir()),
  /** The audio routes decode an upload while it arrives (ffmpeg reading a pipe); the spooled file stays the fallback. */
  DECODE_WHILE_UPLOADING: z.stringbool().default(true),
  /** 16 kHz PCM WAV files are read in-process (audio/wav.ts), the same samples without starting ffmpeg. */
  DECODE_WAV_IN_PROCESS: z.stringbool().default(true),
  USE_GPU: z.stringbool().default(false),
  /** Flash attention in whisper.cpp (its default since 1.8; faster on CPU and GPU). */
  FLASH_ATTN: z.stringbool().default(true),
  // Encode a short clip over its own length (audio_ctx with a floor and a margin: short-window.ts).
  SHORT_WINDOW: z.stringbool().default(true),
  // Files of 30 s and more: cut at VAD pauses and decode chunk by chunk, or whisper.cpp's sliding windows.
  LONG_FORM: z.enum(['chunked', 'windows']).default('chunked'),
  // Chunks of one long file decoding at once, each on its own state: `auto` = one per thread of the request's share, at most 4.
  // Beam width for the chunks of a long file. 1 (greedy, with the temperature fallback): on exact attention it reads
  // the long-form set as well as beam 5 (26 errors against 28) in 0.5-0.6x the time (BENCHMARKS.md, "Exact attention").
  LONG_FORM_BEAM_SIZE: int(1, 16).default(1),
  LONG_FORM_WORKERS: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(16)]).default('auto'),
  /**
   * Silero VAD before decoding, for file requests that send no chunking_strategy: `auto` decodes
   * only speech (silence and noise give no text), `off` decodes everything. BENCHMARKS.md has the
   * measurement behind the default.
   */
  VAD_FILTER: z.enum(['auto', 'off']).default('auto'),
  // Realtime transcription over WebSocket (src/realtime).
  REALTIME_IDLE_TIMEOUT_SECONDS: z.coerce.number().positive().default(60),
  REALTIME_MAX_SESSION_SECONDS: z.coerce.number().positive().default(3600),
  REALTIME_MAX_SESSIONS_PER_MODEL: int(1).default(16),
  /** New audio between two re-decodes of an open turn; decodes never overlap within a session. */
  REALTIME_DECODE_INTERVAL_MS: int(100, 10_000).default(500),
  /**
   * Turn audio before the first partial decode, when the client sets no `delay` (src/realtime/cadence.ts).
   * 500 ms: first words 0.87 s after the start of speech against 1.37 s at 1000, the same streamed WER
   * (BENCHMARKS.md, "Realtime: live captions").
   */
  REALTIME_FIRST_DECODE_MS: int(200, 10_000).default(500),
  /**
   * New audio between partial decodes until a turn's first word is sent, when the client sets no
   * `delay` (then REALTIME_DECODE_INTERVAL_MS). 250: with the confidence gate below, the first words
   * come as soon as without it (BENCHMARKS.md, "Realtime: a confidence gate").
   */
  REALTIME_FIRST_WORDS_INTERVAL_MS: int(50, 10_000).default(250),
  /**
   * When the client sets no `delay`: words two decodes agree on still wait while they end within this
   * much of the newer decode's edge (src/realtime/agreement.ts). 0 = no holdback.
   */
  REALTIME_COMMIT_HOLDBACK_MS: int(0, 5000).default(0),
  /**
   * When the client sets no `delay`: an agreed word whose probability is below this waits (with the
   * words after it) until a decode is sure of it or the turn ends; 0 = off (plain LocalAgreement-2).
   * 0.5, as the `medium`, `high` and `xhigh` delays: the partials' misreadings gone (streamed WER ÷
   * upload 1.50× → 1.00× live), at the cost of words held back on noisy audio (BENCHMARKS.md).
   */
  REALTIME_COMMIT_MIN_PROBABILITY: z.coerce.number().min(0).max(1).default(0.5),
  /** Prompt a realtime turn's decodes with the earlier turns' text (whisper_streaming's context). */
  REALTIME_TURN_CONTEXT: z.stringbool().default(true),
  /** Beam width of every realtime turn decode, partials and finals; 1 = greedy. */
  REALTIME_BEAM_SIZE: int(1, 16).default(1),
  /**
   * `auto` (default): a realtime turn is encoded over a window sized to it (the uploads' short-window
   * policy, src/engine/short-window.ts) instead of whisper's padded 30 s; the seam aligns on text,
   * so drifting word times cannot repeat a phrase. `off`: always the full 30 s window.
   */
  REALTIME_AUDIO_CTX: z.enum(['auto', 'off']).default('auto'),
  /** Largest decoded audio payload of one input_audio_buffer.append (OpenAI's limit is 15 MiB). */
  REALTIME_MAX_APPEND_BYTES: int(1).default(15 * 1024 * 1024),
  /** HTTPS/WSS when both are set (openai-node's realtime client always connects with wss:). */
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  // Scale-out backends (src/storage, src/jobs/redis): the embedded defaults need no service.
  STORAGE: z.enum(['fs', 's3']).default('fs'),
  S3_BUCKET: z.string().optional(),
  S3_PREFIX: z.string().default(''),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().optional(),
  S3_FORCE_PATH_STYLE: z.stringbool().default(false),
  /** Buckets that `s3://` input URLs may name; empty refuses them all. */
  S3_INPUT_BUCKETS: z.string().optional().transform(list),
  JOBS_BACKEND: z.enum(['sqlite', 'redis']).default('sqlite'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected redis:// or rediss://').optional(),
  /** Key prefix of every BullMQ/Redis key, so several deployments can share one Redis. */
  // `{whisper}` (a hash tag) keeps every key in one slot on Redis Cluster, as BullMQ needs.
  REDIS_PREFIX: z.string().regex(/^[\w.{}-]+$/).default('whisper'),
  /** all: API and job workers; api: public routes, no job worker; worker: job workers and /health, /ready, /metrics only. */
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  // Async jobs, webhooks and outbound URLs (src/jobs, src/webhooks, src/net).
  /** The embedded job database and blobs (STORAGE=fs) live here. */
  DATA_DIR: z.string().default('./data'),
  /** Terminal jobs, their inputs and results are purged this long after they end. */
  JOB_RETENTION_HOURS: z.coerce.number().positive().default(168),
  JOB_MAX_ATTEMPTS: int(1, 100).default(3),
  JOB_LEASE_SECONDS: z.coerce.number().min(0.2).default(30),
  /** Jobs one process runs at once (each at batch priority in the pool); default POOL_CONCURRENCY. */
  JOB_CONCURRENCY: int(1, 64).optional(),
  ASYNC_MAX_UPLOAD_BYTES: int(1).default(1024 ** 3),
  ASYNC_MAX_AUDIO_SECONDS: z.coerce.number().positive().default(4 * 3600),
  /** Standard Webhooks signing secrets (whsec_<base64>); several, comma-separated, during a rotation. */
  WEBHOOK_SECRET: z
    .string()
    .optional()
    .transform(list)
    .refine((l) => l.every((s) => /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(s)), 'expected whsec_<base64>[,whsec_<base64>...]'),
  WEBHOOK_MAX_ATTEMPTS: int(1, 100).default(8),
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  /** Waits before retry 1, 2, ...; the last repeats. Standard Webhooks' suggested schedule. */
  WEBHOOK_RETRY_SCHEDULE_SECONDS: z
    .string()
    .default('5,300,1800,7200,18000,36000,36000')
    .transform((raw) => list(raw).map(Number))
    .refine((l) => l.length > 0 && l.every((n) => Number.isFinite(n) && n >= 0), 'expected seconds, comma-separated'),
  /** Tests only: let audio_url and webhook_url reach loopback and private addresses. */
  ALLOW_PRIVATE_URLS: z.stringbool().default(false),
  URL_MAX_REDIRECTS: int(0, 20).default(5),
  // SageMaker container contract (`serve`, /ping, /invocations).
  /** Async-endpoint mode: /invocations takes up to ASYNC_MAX_UPLOAD_BYTES and 1 h of audio. */
  SAGEMAKER_ASYNC: z.stringbool().default(false),
});

type Env = z.output<typeof EnvSchema>;

export interface Config extends Omit<Env, 'MODEL_ALIASES' | 'PRELOAD_MODELS' | 'THREADS_PER_REQUEST' | 'JOB_CONCURRENCY'> {
  /** Always contains whisper-1 (→ DEFAULT_MODEL) unless MODEL_ALIASES overrides it. */
  MODEL_ALIASES: Readonly<Record<string, string>>;
  PRELOAD_MODELS: readonly string[];
  /** Fixed threads per transcription; undefined: the pool's work-conserving share of CPU_THREADS. */
  THREADS_PER_REQUEST: number | undefined;
  /** The CPU threads the pool shares out (the machine's, or the container's CPU quota). */
  CPU_THREADS: number;
  JOB_CONCURRENCY: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the environment (process.env by default). Throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cpus = os.availableParallelism()): Config {
  // An empty variable (`API_KEYS=` in a manifest) means "unset", not "the empty string".
  const present = Object.fromEntries(
    Object.keys(EnvSchema.shape).flatMap((k) => (env[k] !== undefined && env[k] !== '' ? [[k, env[k]]] : [])),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`));
  }
  const e = parsed.data;
  const missing = [
    ...(e.STORAGE === 's3' && !e.S3_BUCKET ? ['S3_BUCKET: required when STORAGE=s3'] : []),
    ...(e.JOBS_BACKEND === 'redis' && !e.REDIS_URL ? ['REDIS_URL: required when JOBS_BACKEND=redis'] : []),
    ...(!e.TLS_CERT_FILE !== !e.TLS_KEY_FILE ? ['TLS_CERT_FILE, TLS_KEY_FILE: set both (HTTPS) or neither'] : []),
  ];
  if (missing.length > 0) throw new ConfigError(missing);
  return Object.freeze({
    ...e,
    MODEL_ALIASES: Object.freeze({ 'whisper-1': e.DEFAULT_MODEL, ...e.MODEL_ALIASES }),
    PRELOAD_MODELS: Object.freeze(e.PRELOAD_MODELS ?? [e.DEFAULT_MODEL]),
    // Unset: work-conserving (the pool gives a lone request every core, concurrent ones a share).
    THREADS_PER_REQUEST: e.THREADS_PER_REQUEST,
    CPU_THREADS: cpus,
    API_KEYS: Object.freeze(e.API_KEYS) as string[],
    CORS_ORIGINS: Object.freeze(e.CORS_ORIGINS) as string[],
    S3_INPUT_BUCKETS: Object.freeze(e.S3_INPUT_BUCKETS) as string[],
    JOB_CONCURRENCY: e.JOB_CONCURRENCY ?? e.POOL_CONCURRENCY,
    WEBHOOK_SECRET: Object.freeze(e.WEBHOOK_SECRET) as string[],
    WEBHOOK_RETRY_SCHEDULE_SECONDS: Object.freeze(e.WEBHOOK_RETRY_SCHEDULE_SECONDS) as number[],
  });
}

/**
 * libuv threads the process needs: one per concurrently running transcription (each holds a
 * threadpool thread for its whole duration) plus 4 left for fs, dns and zlib work.
 * Models outside PRELOAD_MODELS can still be loaded on demand, so count at least two models.
 */
export function threadpoolSize(config: Config): number {
  const models = Math.max(2, new Set(config.PRELOAD_MODELS).size);
  return config.POOL_CONCURRENCY * models + 4;
}
