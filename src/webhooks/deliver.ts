/**
 * One webhook attempt: POST the fixed body, signed, through the guarded client, and classify
 * the answer for the DeliveryQueue. 2xx: delivered. 429, 5xx, timeouts and connection failures:
 * retry (after Retry-After when the receiver sent one). 410 Gone and every other answer: stop
 * (a receiver that refuses the request will refuse it again). Redirects are not followed.
 */
import { OutboundError } from '../net/errors.js';
import type { GuardedClient } from '../net/guarded-client.js';
import type { DeliveryHandler, DeliveryResult } from '../jobs/types.js';
import type { Signer } from './sign.js';

export interface DelivererDeps {
  client: GuardedClient;
  signer: Signer;
  timeoutMs: number;
  /** Per failed attempt, for metrics. */
  onFailure?: (result: Extract<DeliveryResult, { ok: false }>) => void;
  now?: () => number;
}

/** Retry-After as seconds or an HTTP date; milliseconds, or undefined. Capped at one hour. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const ms = /^\d+$/.test(v.trim()) ? Number(v.trim()) * 1000 : Date.parse(v) - nowMs;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 3_600_000) : undefined;
}

export function createDeliverer(deps: DelivererDeps): DeliveryHandler {
  const now = deps.now ?? Date.now;
  return async (delivery, ctx) => {
    const started = now();
    const result = await attempt();
    if (!result.ok) deps.onFailure?.(result);
    return result;

    async function attempt(): Promise<DeliveryResult> {
      const headers = { 'content-type': 'application/json', ...deps.signer.sign(delivery.id, delivery.payload, new Date(started)) };
      try {
        const res = await deps.client.request(delivery.url, {
          method: 'POST',
          headers,
          body: delivery.payload,
          signal: ctx.signal,
          timeoutMs: deps.timeoutMs,
          followRedirects: false,
        });
        res.body.resume();
        const duration_ms = now() - started;
        const status = res.status;
        if (status >= 200 && status < 300) return { ok: true, status_code: status, duration_ms };
        const retry = status === 429 || status >= 500;
        return {
          ok: false,
          retry,
          retry_after_ms: retry ? parseRetryAfter(res.headers['retry-after'], now()) : undefined,
          status_code: status,
          error: status === 410 ? 'HTTP 410 Gone: the receiver asked to stop' : `HTTP ${status}`,
          duration_ms,
        };
      } catch (err) {
        const e = err as OutboundError;
        const refused = e instanceof OutboundError && e.refused;
        return { ok: false, retry: !refused, status_code: null, error: e?.message ?? String(err), duration_ms: now() - started };
      }
    }
  };
}
