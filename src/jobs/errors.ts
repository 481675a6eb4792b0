/**
 * How a job's failure is classified: the client's fault (bad audio, a refused audio_url, an
 * unknown model) fails the job at once with the same error body the synchronous call would
 * give; anything else (a full queue, an engine crash, a receiver timing out) is retried.
 */
import { ApiError } from '../errors.js';
import { OutboundError } from '../net/errors.js';
import { PermanentJobError } from './types.js';

export function classifyJobError(err: unknown): unknown {
  if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429 && err.status !== 499) {
    return new PermanentJobError(err.toBody().error);
  }
  if (err instanceof OutboundError && (err.refused || (err.status !== undefined && err.status < 500 && err.status !== 429))) {
    return new PermanentJobError({ message: err.message, type: 'invalid_request_error', code: err.code, param: 'audio_url' });
  }
  return err;
}
