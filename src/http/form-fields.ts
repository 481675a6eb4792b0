/**
 * Turns the flat (name, value) pairs of a multipart body into an object, accepting every
 * array encoding clients really send:
 *   - `key[]` repeated      (openai-node and openai-python: timestamp_granularities[]=word)
 *   - `key` repeated        (curl -F key=a -F key=b, browsers' FormData.append)
 *   - `key[0]`, `key[1]`    (PHP-style indexed forms)
 *   - `key[sub]`            (both SDKs encode objects this way: chunking_strategy[type]=server_vad)
 * An empty value means "not given", as an unset form field does in most HTML clients.
 */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

type Form = Record<string, unknown>;

export function assembleForm(entries: Iterable<readonly [string, unknown]>): Form {
  const out: Form = {};
  for (const [rawKey, value] of entries) {
    if (value === '' || value === undefined) continue;
    add(out, rawKey, value);
  }
  return out;
}

function add(target: Form, rawKey: string, value: unknown): void {
  const m = /^([^[\]]+)\[([^[\]]*)\](.*)$/.exec(rawKey);
  if (!m) return put(target, rawKey, value, false);
  const [, key, sub, rest] = m;
  if (FORBIDDEN.has(key)) return;
  if (sub === '' || /^\d+$/.test(sub)) return put(target, key, value, true);
  if (FORBIDDEN.has(sub)) return;
  const existing = target[key];
  const child: Form = isForm(existing) ? existing : {};
  target[key] = child;
  add(child, rest ? `${sub}${rest}` : sub, value);
}

function put(target: Form, key: string, value: unknown, asArray: boolean): void {
  if (FORBIDDEN.has(key)) return;
  const existing = target[key];
  if (existing === undefined) target[key] = asArray ? [value] : value;
  else if (Array.isArray(existing)) existing.push(value);
  else target[key] = [existing, value];
}

function isForm(v: unknown): v is Form {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !('path' in v);
}
