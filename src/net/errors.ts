/** Why an outbound URL was refused or its fetch failed; mapped to a 400 or a failed job. */
export type OutboundErrorCode =
  | 'invalid_url'
  | 'unsupported_scheme'
  | 'blocked_address'
  | 'dns_failure'
  | 'too_many_redirects'
  | 'body_too_large'
  | 'timeout'
  | 'connection_failed'
  | 'http_error';

export class OutboundError extends Error {
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutboundError';
  }

  /** Refusals by policy (as opposed to the remote failing): never retried, a 400 at submit. */
  get refused(): boolean {
    return ['invalid_url', 'unsupported_scheme', 'blocked_address', 'too_many_redirects', 'body_too_large'].includes(this.code);
  }
}
