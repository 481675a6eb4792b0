import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * Reads one regular file out of a .tar.gz (a Python sdist): ustar headers of
 * 512 bytes, each followed by its data padded to 512. Enough for sdists,
 * which hold plain files and directories; GNU long names are followed.
 */
export function readTarGzEntry(path: string, name: string): Buffer {
  const tar = gunzipSync(readFileSync(path));
  let p = 0;
  let longName: string | undefined;
  while (p + 512 <= tar.length) {
    const h = tar.subarray(p, p + 512);
    if (h.every((b) => b === 0)) break;
    const field = (at: number, len: number) => h.toString('utf8', at, at + len).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156] || 0x30);
    const prefix = field(345, 155);
    const entry = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const data = tar.subarray(p + 512, p + 512 + size);
    if (type === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
    else if ((type === '0' || type === '\0') && entry === name) return Buffer.from(data);
    p += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${path} has no ${name}`);
}
