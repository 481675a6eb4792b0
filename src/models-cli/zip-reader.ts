import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { type ByteSource, fileSource } from './byte-source.js';

/**
 * Just enough of the ZIP format to pull files out of Python wheels: the central
 * directory, stored and deflated entries, and ZIP64 sizes/offsets in extra
 * fields. Entries are streamed through inflateRaw, so multi-gigabyte members
 * never sit in memory, and each one is checked against its CRC-32 and size.
 */

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const CDIR_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const U32_MAX = 0xffffffff;

function findEndOfCentralDirectory(src: ByteSource): Buffer {
  // The record is 22 bytes plus a comment of up to 64 KiB, at the very end.
  const tail = Math.min(src.size, 22 + 0xffff);
  const buf = src.read(src.size - tail, tail);
  for (let i = buf.length - 22; i >= 0; i--) if (buf.readUInt32LE(i) === EOCD_SIG) return buf.subarray(i);
  throw new Error('not a zip file (no end-of-central-directory record)');
}

/** Replaces 0xFFFFFFFF placeholders with the 64-bit values from the ZIP64 extra field (id 1). */
function applyZip64(extra: Buffer, e: ZipEntry): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 1) {
      let q = p + 4;
      const next = () => Number(extra.readBigUInt64LE((q += 8) - 8));
      if (e.size === U32_MAX) e.size = next();
      if (e.compressedSize === U32_MAX) e.compressedSize = next();
      if (e.localHeaderOffset === U32_MAX) e.localHeaderOffset = next();
      return;
    }
    p += 4 + len;
  }
}

export function listZip(path: string): ZipEntry[] {
  const src = fileSource(path);
  try {
    const eocd = findEndOfCentralDirectory(src);
    const count = eocd.readUInt16LE(10);
    const cdSize = eocd.readUInt32LE(12);
    const cdOffset = eocd.readUInt32LE(16);
    if (cdOffset === U32_MAX || count === 0xffff) throw new Error(`${path}: ZIP64 archives with huge directories are not supported`);
    const cd = src.read(cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    for (let p = 0, i = 0; i < count; i++) {
      if (cd.readUInt32LE(p) !== CDIR_SIG) throw new Error(`${path}: corrupt central directory`);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const e: ZipEntry = {
        name: cd.toString('utf8', p + 46, p + 46 + nameLen),
        method: cd.readUInt16LE(p + 10),
        crc32: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localHeaderOffset: cd.readUInt32LE(p + 42),
      };
      applyZip64(cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), e);
      entries.push(e);
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    src.close();
  }
}

/** zlib.crc32 arrived in Node 20.15; keep a table-driven fallback for older 20.x. */
const crc32: (data: Buffer, prev: number) => number =
  typeof zlib.crc32 === 'function'
    ? zlib.crc32
    : (() => {
        const table = Array.from({ length: 256 }, (_, n) => {
          let c = n;
          for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
          return c >>> 0;
        });
        return (data: Buffer, prev: number) => {
          let c = ~prev >>> 0;
          for (const b of data) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
          return ~c >>> 0;
        };
      })();

/** Counts and CRCs the bytes flowing through, so a bad archive fails loudly. */
function checker(e: ZipEntry): Transform {
  let crc = 0;
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      crc = crc32(chunk, crc);
      n += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      if (n !== e.size) done(new Error(`${e.name}: inflated to ${n} bytes, expected ${e.size}`));
      else if (crc >>> 0 !== e.crc32) done(new Error(`${e.name}: CRC-32 mismatch (corrupt archive)`));
      else done();
    },
  });
}

/** Writes the entry to `dest`; `append` lets split parts land back to back in one file. */
export async function extractEntry(zipPath: string, e: ZipEntry, dest: string, append = false): Promise<void> {
  await pipeEntry(zipPath, e, createWriteStream(dest, { flags: append ? 'a' : 'w' }));
}

async function pipeEntry(zipPath: string, e: ZipEntry, sink: Writable): Promise<void> {
  const src = fileSource(zipPath);
  let dataStart: number;
  try {
    const local = src.read(e.localHeaderOffset, 30);
    if (local.readUInt32LE(0) !== LOCAL_SIG) throw new Error(`${zipPath}: bad local header for ${e.name}`);
    dataStart = e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  } finally {
    src.close();
  }
  if (e.method !== 0 && e.method !== 8) throw new Error(`${e.name}: unsupported zip compression method ${e.method}`);
  const input = e.compressedSize === 0 ? Readable.from([]) : createReadStream(zipPath, { start: dataStart, end: dataStart + e.compressedSize - 1 });
  if (e.method === 8) await pipeline(input, zlib.createInflateRaw(), checker(e), sink);
  else await pipeline(input, checker(e), sink);
}

/** The entry's bytes in memory, checked like extractEntry; for small members (a TorchScript pickle, a tensor). */
export async function readEntry(zipPath: string, e: ZipEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  await pipeEntry(zipPath, e, sink);
  return Buffer.concat(chunks);
}
