/**
 * The one error handler and the not-found handler. Whatever fails (a zod validation, Fastify's
 * own 413/415/400s, busboy, the pool, the engine) leaves as OpenAI's
 * {"error":{"message","type","param","code"}} with all four keys, and a status the SDKs map to
 * the right exception class (400 BadRequestError, 401 AuthenticationError, 404 NotFoundError,
 * 429 RateLimitError, 5xx InternalServerError).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errors, isAbortError } from '../errors.js';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from './type-provider.js';

interface Issue {
  instancePath: string;
  message?: string;
}

function fromValidation(issues: Issue[], body: unknown): ApiError {
  const issue = issues[0];
  const path = issue.instancePath.split('/').filter(Boolean);
  const param = path[0] ?? null;
  if (param && (typeof body !== 'object' || body === null || (body as Record<string, unknown>)[param] === undefined)) {
    return errors.missingField(param);
  }
  // timestamp_granularities[1], chunking_strategy.type: how the SDKs name nested fields.
  const where = param ? `'${path.map((k, i) => (i === 0 ? k : /^\d+$/.test(k) ? `[${k}]` : `.${k}`)).join('')}'` : 'the request';
  return errors.invalidRequest(`Invalid value for ${where}: ${issue.message ?? 'invalid'}`, param);
}

export function toApiError(err: unknown, request?: FastifyRequest): ApiError {
  if (err instanceof ApiError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) return fromValidation(err.validation, request?.body);
  if (isAbortError(err)) return errors.aborted();
  const e = err as FastifyError;
  if (e && typeof e === 'object' && 'method' in e && isResponseSerializationError(e)) return errors.internal(err);
  if (e?.validation) return errors.invalidRequest(e.message);
  switch (e?.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return errors.unsupportedMediaType(request?.headers['content-type']);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return errors.fromHttpStatus(413, 'Request body is too large.', 'request_too_large');
  }
  const status = e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return errors.fromHttpStatus(status, e.message, (e.code ?? 'invalid_request').toLowerCase());
  }
  return errors.internal(err);
}

function sendError(err: ApiError, reply: FastifyReply): FastifyReply {
  if (err.retryAfter !== undefined) reply.header('retry-after', String(err.retryAfter));
  return reply.code(err.status).type('application/json; charset=utf-8').send(err.toBody());
}

/**
 * For errors raised before routing (bad URL encoding, an over-long path parameter): Fastify
 * sends those from its router through the `frameworkErrors` option, not the error handler.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendError(toApiError(err, request), reply);
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const apiError = toApiError(err, request);
    if (apiError.status >= 500) request.log.error({ err }, apiError.message);
    else request.log.info({ status: apiError.status, code: apiError.code }, apiError.message);
    return sendError(apiError, reply);
  });
  app.setNotFoundHandler((request, reply) => sendError(errors.routeNotFound(request.method, request.url), reply));
}
