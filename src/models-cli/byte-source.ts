import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Random access to a file's bytes. Model files run to gigabytes, so readers
 * index them and pull one tensor at a time instead of loading everything.
 */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Buffer;
  close(): void;
}

export function bufferSource(buf: Buffer): ByteSource {
  return {
    size: buf.length,
    read(offset, length) {
      if (offset < 0 || offset + length > buf.length) throw new Error(`read past end (${offset}+${length} > ${buf.length})`);
      return buf.subarray(offset, offset + length);
    },
    close() {},
  };
}

export function fileSource(path: string): ByteSource {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  return {
    size,
    read(offset, length) {
      if (offset < 0 || offset + length > size) {
        throw new Error(`${path} is truncated: wanted bytes ${offset}..${offset + length}, file has ${size}`);
      }
      const out = Buffer.allocUnsafe(length);
      let done = 0;
      // readSync may return short counts for large reads; loop until filled.
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n === 0) throw new Error(`unexpected end of ${path} at ${offset + done}`);
        done += n;
      }
      return out;
    },
    close() {
      closeSync(fd);
    },
  };
}

/**
 * Sequential little-endian reads over a ByteSource, for headers. Reads ahead in
 * 64 KiB windows: a vocabulary is 50k tiny fields, and a syscall each is slow.
 * Returned buffers may share the window, so callers copy what they keep.
 */
export class Cursor {
  private win: Buffer = Buffer.alloc(0);
  private winStart = 0;

  constructor(
    private readonly src: ByteSource,
    public pos = 0,
  ) {}

  bytes(n: number): Buffer {
    const off = this.pos - this.winStart;
    if (off < 0 || off + n > this.win.length) {
      const len = Math.max(n, Math.min(1 << 16, this.src.size - this.pos));
      this.win = this.src.read(this.pos, len);
      this.winStart = this.pos;
    }
    const b = this.win.subarray(this.pos - this.winStart, this.pos - this.winStart + n);
    this.pos += n;
    return b;
  }
  u8(): number {
    return this.bytes(1)[0];
  }
  u16(): number {
    return this.bytes(2).readUInt16LE(0);
  }
  u32(): number {
    return this.bytes(4).readUInt32LE(0);
  }
  i32(): number {
    return this.bytes(4).readInt32LE(0);
  }
  skip(n: number): void {
    this.pos += n;
  }
  get remaining(): number {
    return this.src.size - this.pos;
  }
}
