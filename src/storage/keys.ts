/**
 * Blob keys are relative, slash-separated paths built by the server (`jobs/<id>/input`). Both
 * stores check them the same way, so a key that works on fs works on S3 and none can escape the
 * root: no empty, `.` or `..` segment, no leading dot (the fs store keeps its temp and sidecar
 * files as dot-files), and only a safe character set.
 */
const SEGMENT = /^[A-Za-z0-9_\-=+@,][A-Za-z0-9_.\-=+@,]*$/;
const MAX_KEY_LENGTH = 512;

export function assertKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new TypeError(`invalid blob key: ${JSON.stringify(key)}`);
  }
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) throw new TypeError(`invalid blob key: ${JSON.stringify(key)}`);
  }
  return key;
}

/**
 * A prefix is a key or a key followed by `/`. Like S3 prefixes it need not end on a segment
 * boundary: `jobs/ab` matches `jobs/abc/input`. The empty prefix (everything) is refused: no
 * caller needs it, and a slip would wipe the store.
 */
export function assertPrefix(prefix: string): string {
  assertKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
