/**
 * The one error type of the server. Every failure, wherever it starts, becomes an ApiError
 * and is rendered by the single HTTP error handler as OpenAI's
 * {"error":{"message","type","param","code"}} body. The status decides which exception
 * class the OpenAI SDKs raise, so it is chosen with care.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error'
  | 'service_unavailable';

export interface ApiErrorInit {
  status: number;
  type: ErrorType;
  code: string | null;
  param?: string | null;
  /** Seconds, for 429/503 replies. */
  retryAfter?: number;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryAfter?: number;

  constructor(message: string, init: ApiErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param ?? null;
    this.retryAfter = init.retryAfter;
  }

  toBody(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

const invalid = (message: string, code: string, param: string | null = null, cause?: unknown) =>
  new ApiError(message, { status: 400, type: 'invalid_request_error', code, param, cause });

/** The catalogue: name every failure once, here. */
export const errors = {
  invalidRequest: (message: string, param: string | null = null, code = 'invalid_value') =>
    invalid(message, code, param),
  missingField: (param: string) => invalid(`Missing required parameter: '${param}'.`, 'missing_required_parameter', param),
  unsupportedAudio: (reason: string, cause?: unknown) =>
    invalid(
      `Audio file might be corrupted or unsupported: ${reason}`,
      'invalid_value',
      'file',
      cause,
    ),
  audioTooLong: (seconds: number, maxSeconds: number) =>
    invalid(
      `Audio duration ${seconds.toFixed(1)} s exceeds the maximum of ${maxSeconds} s.`,
      'audio_too_long',
      'file',
    ),
  fileTooLarge: (limitBytes: number) =>
    new ApiError(`Maximum content size limit (${limitBytes} bytes) exceeded.`, {
      status: 413,
      type: 'invalid_request_error',
      code: 'file_too_large',
      param: 'file',
    }),
  unsupportedMediaType: (contentType: string | undefined) =>
    new ApiError(
      `Unsupported Content-Type '${contentType ?? ''}': this endpoint expects multipart/form-data.`,
      { status: 415, type: 'invalid_request_error', code: 'unsupported_media_type' },
    ),
  invalidApiKey: () =>
    new ApiError('Incorrect API key provided.', {
      status: 401,
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    }),
  missingApiKey: () =>
    new ApiError(
      "You didn't provide an API key. Provide it in the Authorization header as 'Bearer YOUR_KEY'.",
      { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' },
    ),
  modelNotFound: (model: string) =>
    new ApiError(`The model '${model}' does not exist or you do not have access to it.`, {
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
    }),
  routeNotFound: (method: string, url: string) =>
    new ApiError(`Unknown request URL: ${method} ${url}.`, {
      status: 404,
      type: 'invalid_request_error',
      code: 'unknown_url',
    }),
  queueFull: (retryAfterSeconds: number) =>
    new ApiError('The server is at capacity: the request queue is full. Retry later.', {
      status: 429,
      type: 'rate_limit_error',
      code: 'queue_full',
      retryAfter: retryAfterSeconds,
    }),
  modelUnavailable: (model: string, reason: string, cause?: unknown) =>
    new ApiError(`Model '${model}' could not be loaded: ${reason}`, {
      status: 503,
      type: 'server_error',
      code: 'model_unavailable',
      cause,
    }),
  draining: () =>
    new ApiError('The server is shutting down and accepts no new work.', {
      status: 503,
      type: 'server_error',
      code: 'server_shutting_down',
      retryAfter: 1,
    }),
  aborted: () =>
    new ApiError('The request was cancelled.', {
      // 499 is never seen by a disconnected client; it labels metrics and logs.
      status: 499,
      type: 'invalid_request_error',
      code: 'request_cancelled',
    }),
  transcriptionFailed: (reason: string, cause?: unknown) =>
    new ApiError(`Transcription failed: ${reason}`, {
      status: 500,
      type: 'server_error',
      code: 'transcription_failed',
      cause,
    }),
  internal: (cause?: unknown) =>
    new ApiError('The server had an error while processing your request.', {
      status: 500,
      type: 'server_error',
      code: 'internal_error',
      cause,
    }),
  // Added by the HTTP layer.
  notReady: (reason: string) =>
    new ApiError(`The server is not ready: ${reason}`, {
      status: 503,
      type: 'server_error',
      code: 'not_ready',
      retryAfter: 1,
    }),
  invalidMultipart: (reason: string, cause?: unknown) =>
    invalid(`Could not parse the multipart/form-data body: ${reason}`, 'invalid_multipart', null, cause),
  tooManyFiles: (limit: number) =>
    invalid(`Too many files in one request: at most ${limit} allowed.`, 'too_many_files', 'file'),
  unsupportedParameter: (param: string, reason: string) =>
    invalid(`Unsupported parameter '${param}': ${reason}`, 'unsupported_parameter', param),
  upgradeRequired: () =>
    new ApiError('This endpoint is a WebSocket: connect with an Upgrade: websocket handshake (ws:// or wss://).', {
      status: 426,
      type: 'invalid_request_error',
      code: 'upgrade_required',
    }),
  /** 403: a browser page of a site not in CORS_ORIGINS tried to open the realtime WebSocket. */
  originNotAllowed: (origin: string) =>
    new ApiError(`Origin '${origin.slice(0, 200)}' may not open a realtime session: add it to CORS_ORIGINS.`, { status: 403, type: 'invalid_request_error', code: 'origin_not_allowed' }),
  // Diarization (gpt-4o-transcribe-diarize).
  diarizationUnavailable: () =>
    invalid(
      'Diarization needs the speaker models, which are not installed: run `npm run models -- import-diarization` and restart. ' +
        '(A stereo file whose channels are different speakers is split by channel without them.)',
      'diarization_unavailable',
      'model',
    ),
  diarizationFailed: (reason: string, cause?: unknown) =>
    new ApiError(`Diarization failed: ${reason}`, { status: 500, type: 'server_error', code: 'diarization_failed', cause }),
  // Async jobs (src/jobs), outbound URLs (src/net), SageMaker.
  jobNotFound: (id: string) =>
    new ApiError(`No job found with id '${id}'.`, { status: 404, type: 'invalid_request_error', code: 'job_not_found', param: 'job_id' }),
  /** 409: the job is in a state that does not allow this (cancel after completion, result before it). */
  jobConflict: (message: string, code: string) =>
    new ApiError(message, { status: 409, type: 'invalid_request_error', code }),
  invalidUrl: (param: string, reason: string, code = 'invalid_url') => invalid(reason, code, param),
  webhooksDisabled: () =>
    invalid('webhook_url needs the server to have a WEBHOOK_SECRET to sign deliveries with.', 'webhooks_not_configured', 'webhook_url'),
  /** Fastify's own 4xx errors (body too large, bad JSON, ...), kept in OpenAI's shape. */
  fromHttpStatus: (status: number, message: string, code: string) =>
    new ApiError(message, { status, type: 'invalid_request_error', code }),
} as const;

export const isAbortError = (err: unknown): boolean =>
  err instanceof ApiError ? err.code === 'request_cancelled' : (err as Error)?.name === 'AbortError';
