/** The realtime API's one error shape: an `error` server event; the socket stays open. */
import { ApiError } from '../errors.js';

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly param: string | null = null,
    readonly eventId: string | null = null,
    readonly type: 'invalid_request_error' | 'server_error' = 'invalid_request_error',
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Any failure as a ProtocolError: ApiErrors keep their code and param; anything else is internal. */
export function toProtocolError(err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  if (err instanceof ApiError) return new ProtocolError(err.message, err.code ?? 'error', err.param, null, err.status >= 500 ? 'server_error' : 'invalid_request_error');
  return new ProtocolError('The server had an error while processing the event.', 'internal_error', null, null, 'server_error');
}

/** The `error` server event. */
export function errorEvent(err: ProtocolError): Record<string, unknown> {
  return {
    type: 'error',
    error: { type: err.type, code: err.code, message: err.message, param: err.param, event_id: err.eventId },
  };
}
