/**
 * Counts bytes flowing through a stream and fails it with 413 (`errors.fileTooLarge`) as soon as
 * they pass the limit, so a store stops reading an oversized upload at once instead of after it.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { errors } from '../errors.js';

export class ByteCounter extends Transform {
  bytes = 0;

  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) done(errors.fileTooLarge(this.maxBytes));
    else done(null, chunk);
  }
}
