/**
 * The SageMaker door's own failures, as ApiErrors (the one error type) so the one handler
 * renders them in OpenAI's shape. Statuses matter: SageMaker passes a 4xx from the container
 * to the caller as a ModelError with the body intact, and counts 5xx against the instance.
 */
import { ApiError, errors } from '../errors.js';

export const sagemakerErrors = {
  notAcceptable: (accept: string) =>
    new ApiError(
      `Accept '${accept}' names no output this endpoint makes: use application/json, text/plain, text/vtt, application/x-subrip or application/vnd.whisper.verbose+json.`,
      { status: 406, type: 'invalid_request_error', code: 'not_acceptable', param: 'Accept' },
    ),
  unsupportedContentType: (contentType: string | undefined) =>
    new ApiError(
      `Unsupported Content-Type '${contentType ?? ''}': send the audio bytes as audio/* or application/octet-stream, or JSON with audio_b64 or audio_url.`,
      { status: 415, type: 'invalid_request_error', code: 'unsupported_media_type' },
    ),
  emptyBody: () => errors.invalidRequest('The request body is empty: send audio bytes, or JSON with audio_b64 or audio_url.', 'body', 'empty_body'),
  badAttributes: (reason: string) =>
    errors.invalidRequest(`X-Amzn-SageMaker-Custom-Attributes: ${reason}`, 'X-Amzn-SageMaker-Custom-Attributes', 'invalid_custom_attributes'),
  invocationTimeout: (seconds: number) =>
    new ApiError(`The invocation did not finish within ${seconds} s (SageMaker's limit for this endpoint mode).`, {
      status: 504,
      type: 'server_error',
      code: 'invocation_timeout',
    }),
};
