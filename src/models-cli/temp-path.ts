import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * A sibling of `target` for writing before an atomic rename: same directory
 * (rename cannot cross filesystems), hidden, and unique per process and call
 * so two runs never write the same temp file.
 */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
}
