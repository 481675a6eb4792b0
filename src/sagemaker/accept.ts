/**
 * Output negotiation for /invocations. SageMaker callers choose the output with `Accept` (the
 * InvokeEndpoint API forwards it); the five media types map onto the five response formats, and
 * the same renderers as the OpenAI routes produce the bytes. Wildcards (or no Accept) leave the
 * choice to `response_format`, then JSON.
 */
import type { ResponseFormat } from '../format/types.js';
import { sagemakerErrors } from './errors.js';

export const VERBOSE_JSON_TYPE = 'application/vnd.whisper.verbose+json';
export const SUBRIP_TYPE = 'application/x-subrip';

const BY_TYPE: Record<string, ResponseFormat> = {
  'application/json': 'json',
  [VERBOSE_JSON_TYPE]: 'verbose_json',
  'text/plain': 'text',
  'text/vtt': 'vtt',
  [SUBRIP_TYPE]: 'srt',
};
export const ACCEPTED_OUTPUT_TYPES = Object.keys(BY_TYPE);

/** The format `Accept` asks for; undefined when it leaves the choice open (absent or a wildcard). */
export function formatFromAccept(accept: string | undefined): ResponseFormat | undefined {
  if (!accept || !accept.trim()) return undefined;
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
      return { type: type ?? '', q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((r) => r.type && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (BY_TYPE[r.type]) return BY_TYPE[r.type];
    if (r.type === '*/*' || r.type === 'application/*' || r.type === 'text/*') return undefined;
  }
  throw sagemakerErrors.notAcceptable(accept);
}

/** The Content-Type to answer with: the renderer's, except that SubRip asked for by name is labelled so. */
export function outputContentType(rendered: string, accept: string | undefined, format: ResponseFormat): string {
  return format === 'srt' && accept?.toLowerCase().includes(SUBRIP_TYPE) ? `${SUBRIP_TYPE}; charset=utf-8` : rendered;
}
