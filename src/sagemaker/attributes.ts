/**
 * `X-Amzn-SageMaker-Custom-Attributes`: SageMaker forwards this header verbatim (at most 1024
 * visible ASCII characters) and returns the container's copy to the caller. We read it as
 * `k=v,k=v`; values are percent-decoded so a prompt can carry a comma (`prompt=a%2C%20b`), and a
 * repeated key makes a list (`timestamp_granularities=word,timestamp_granularities=segment`).
 */
import { sagemakerErrors } from './errors.js';

export const CUSTOM_ATTRIBUTES_HEADER = 'x-amzn-sagemaker-custom-attributes';
const MAX_LENGTH = 1024;
const KEY = /^[a-z_][a-z0-9_]*$/i;

export function parseCustomAttributes(raw: string | string[] | undefined): Record<string, string | string[]> {
  if (raw === undefined) return {};
  if (Array.isArray(raw)) throw sagemakerErrors.badAttributes('send the header once.');
  if (raw.length > MAX_LENGTH) throw sagemakerErrors.badAttributes(`longer than ${MAX_LENGTH} characters.`);
  const out: Record<string, string | string[]> = {};
  for (const pair of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!KEY.test(key)) throw sagemakerErrors.badAttributes(`expected key=value pairs separated by commas, got '${pair}'.`);
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw sagemakerErrors.badAttributes(`the value of '${key}' is not valid percent-encoding.`);
    }
    const prev = out[key];
    out[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return out;
}
