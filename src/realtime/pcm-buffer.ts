import { SAMPLE_RATE } from '../engine/types.js';

/** A growable 16 kHz buffer addressed by absolute sample index (samples since the session began). */
export class PcmBuffer {
  private data = new Float32Array(SAMPLE_RATE * 4);
  private len = 0;
  /** Absolute index of data[0]. */
  start = 0;

  get length(): number {
    return this.len;
  }
  /** Absolute index one past the last sample. */
  get end(): number {
    return this.start + this.len;
  }

  append(pcm: Float32Array): void {
    if (this.len + pcm.length > this.data.length) {
      const grown = new Float32Array(Math.max(this.data.length * 2, this.len + pcm.length));
      grown.set(this.data.subarray(0, this.len));
      this.data = grown;
    }
    this.data.set(pcm, this.len);
    this.len += pcm.length;
  }

  /** Drops everything before absolute sample `at`. */
  dropBefore(at: number): void {
    const n = Math.min(this.len, Math.max(0, at - this.start));
    if (n === 0) return;
    this.data.copyWithin(0, n, this.len);
    this.len -= n;
    this.start += n;
  }

  /** A copy of [from, to) in absolute samples, clamped to what is held. */
  copy(from = this.start, to = this.end): Float32Array {
    const a = Math.max(0, from - this.start);
    const b = Math.min(this.len, Math.max(a, to - this.start));
    return this.data.slice(a, b);
  }

  clear(): void {
    this.start = this.end;
    this.len = 0;
  }
}
