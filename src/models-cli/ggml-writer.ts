import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { GGML_MAGIC, type GgmlType, HPARAM_KEYS, type WhisperHparams, tensorByteLength } from './ggml-format.js';

/** Streams a whisper.cpp ggml file to disk, one section at a time. */
export class GgmlWriter {
  private readonly fd: number;
  private pos = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  get bytesWritten(): number {
    return this.pos;
  }

  private write(buf: Uint8Array): void {
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done);
    this.pos += buf.length;
  }

  private ints(values: number[]): void {
    const b = Buffer.allocUnsafe(4 * values.length);
    values.forEach((v, i) => b.writeInt32LE(v, 4 * i));
    this.write(b);
  }

  /** Bytes laid out by the caller (the VAD file's header has its own shape). */
  raw(buf: Uint8Array): void {
    this.write(buf);
  }

  header(h: WhisperHparams): void {
    this.ints([GGML_MAGIC, ...HPARAM_KEYS.map((k) => h[k])]);
  }

  /** The filter bank goes in as f32, row-major [nMel][nFft]. */
  melFilters(nMel: number, nFft: number, filters: Float32Array): void {
    if (filters.length !== nMel * nFft) throw new Error(`mel filters: expected ${nMel}x${nFft} values, got ${filters.length}`);
    this.ints([nMel, nFft]);
    this.write(new Uint8Array(filters.buffer, filters.byteOffset, filters.byteLength));
  }

  vocabulary(tokens: readonly Uint8Array[]): void {
    this.ints([tokens.length]);
    for (const t of tokens) {
      this.ints([t.length]);
      this.write(t);
    }
  }

  /**
   * `shape` is PyTorch order (outermost first); ggml wants it reversed, which
   * is also what convert-pt-to-ggml.py writes. An empty shape is a scalar
   * (n_dims 0), which the VAD loader accepts as one element.
   */
  tensor(name: string, shape: readonly number[], type: GgmlType, data: Uint8Array): void {
    const elements = shape.reduce((a, b) => a * b, 1);
    const expected = tensorByteLength(type, elements);
    if (data.length !== expected) throw new Error(`tensor ${name}: ${data.length} bytes of data, expected ${expected}`);
    const nameBytes = Buffer.from(name, 'utf8');
    this.ints([shape.length, nameBytes.length, type, ...[...shape].reverse()]);
    this.write(nameBytes);
    this.write(data);
  }

  /** Flushes to disk before the caller renames the file into place. */
  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  abort(): void {
    closeSync(this.fd);
  }
}
