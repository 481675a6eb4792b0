// The server's API as the page uses it: the key from sessionStorage as a Bearer header, and
// OpenAI-shaped errors turned into sentences a person can act on.
const STORAGE = 'whisper-server.api-key';

export const getKey = () => sessionStorage.getItem(STORAGE) ?? '';
export const setKey = (key) => (key ? sessionStorage.setItem(STORAGE, key) : sessionStorage.removeItem(STORAGE));

export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
  get isAuth() {
    return this.status === 401;
  }
}

/** The message for a failed reply: 401 says which of "no key" and "wrong key" it is. */
function explain(status, error, sentKey) {
  if (status === 401) {
    return sentKey
      ? 'The server refused this API key (401). Check the key in the "API key" field at the top: it must be one of the server\'s API_KEYS.'
      : 'This server needs an API key (401). Type it in the "API key" field at the top and press "Use key".';
  }
  if (status === 413) return `${error?.message ?? 'The file is too large.'} Tick "Run as a background job": jobs take much larger files.`;
  if (status === 429) return `The server is busy: ${error?.message ?? 'queue full'}. Try again in a moment.`;
  if (status === 503) return `The server is not ready: ${error?.message ?? 'loading or shutting down'}.`;
  return error?.message ? `${error.message} (${status})` : `The server answered ${status}.`;
}

/** fetch with the key; resolves the parsed body (`as`: json, text or response), rejects with ApiError. */
export async function api(path, { method = 'GET', body, headers = {}, as = 'json' } = {}) {
  const key = getKey();
  const auth = key ? { authorization: `Bearer ${key}` } : {};
  let res;
  try {
    res = await fetch(path, { method, body, headers: { ...headers, ...auth } });
  } catch (err) {
    throw new ApiError(`Could not reach the server: ${err.message}`, 0, 'network');
  }
  if (!res.ok) {
    const error = await res.json().then((b) => b?.error, () => undefined);
    const failure = new ApiError(explain(res.status, error, Boolean(key)), res.status, error?.code);
    // A reply to a key that has since been replaced is stale: the new key gets its own verdict.
    if (failure.isAuth && key === getKey()) document.dispatchEvent(new CustomEvent('api-auth-error', { detail: failure }));
    throw failure;
  }
  if (as === 'response') return res;
  return as === 'text' ? res.text() : res.json();
}

/** 0:07.3, or 1:02:07.3 past an hour (rounded first, so never "0:60.0"). */
export function clock(seconds, decimals = 1) {
  const scale = 10 ** decimals;
  const total = Math.round(Math.max(0, seconds) * scale) / scale;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = (total % 60).toFixed(decimals).padStart(decimals ? 3 + decimals : 2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The banner under the header (role=alert): a message, or nothing to hide it. */
export function notify(message) {
  const el = document.getElementById('alert');
  el.textContent = message ?? '';
  el.hidden = !message;
}
