/**
 * Decoding an upload while it is still arriving: the file part's bytes go to the spool file as
 * before and, through a PassThrough, to an ffmpeg that reads them as they come. A request that
 * ends its upload finds its audio decoded (or nearly) instead of starting ffmpeg then.
 *
 * The result is an offer, not the truth. Any failure resolves to undefined and the caller decodes
 * the spool file as before, which also gives the authoritative error for a file that is not audio.
 * Two kinds of file never take this path, because a pipe reads them differently from a file:
 * - MP4/M4A/MOV: the index (moov) may sit at the end, where a pipe cannot seek back from;
 * - MP3: ffmpeg trims the encoder's end padding only when it can seek, so from a pipe a clip is a
 *   few hundred samples longer (jfk.mp3: 11.019 s instead of 11.000 s), and its duration and
 *   usage would differ from the file's.
 * Only mono is decoded this way; a request that needs both channels (diarization by channel)
 * decodes the file. A file the decoder reads in-process anyway (16 kHz PCM WAV, wav.ts) is left to
 * the file decode: it costs less than the process this path would start.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { AudioDecoder, DecodedAudio } from './types.js';

export interface EarlyDecode {
  /** The decoded audio, or undefined when this path failed or does not apply (decode the file instead). */
  result: Promise<DecodedAudio | undefined>;
  /** Stops the decode (the request ended, or nobody will read it). */
  cancel(): void;
}

/** Whether a pipe decodes a file starting with these bytes exactly as the file decode does (see above). */
export function decodesFromPipe(head: Buffer): boolean {
  const mp4 = head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp';
  const mp3 = head.toString('latin1', 0, 3) === 'ID3' || (head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0);
  return head.length > 0 && !mp4 && !mp3;
}

/**
 * Tees `source` (an upload's file stream, also being written to the spool) into ffmpeg. Undefined
 * when the decoder cannot read streams. The source is never held back by a decode that stops: the
 * tee is cut, so the spool write goes on alone.
 */
export function decodeWhileUploading(decoder: AudioDecoder, source: Readable, opts: { maxDurationSeconds: number }): EarlyDecode | undefined {
  const decodeStream = decoder.decodeStream?.bind(decoder);
  if (!decodeStream) return undefined;
  const input = new PassThrough();
  const controller = new AbortController();
  source.pipe(input);
  const cut = () => {
    source.unpipe(input);
    input.destroy();
    return undefined;
  };
  const result = firstChunk(input).then((head) =>
    head && decodesFromPipe(head) && !decoder.decodesInProcess?.(head) && !controller.signal.aborted
      ? decodeStream(input, { signal: controller.signal, maxDurationSeconds: opts.maxDurationSeconds }).catch(cut)
      : cut(),
  );
  return { result, cancel: () => controller.abort() };
}

/** The stream's first chunk, put back for the next reader; undefined for an empty stream. */
function firstChunk(stream: PassThrough): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      if (!chunk) return;
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.unshift(chunk);
      resolve(chunk);
    };
    const onEnd = () => (stream.off('readable', onReadable), resolve(undefined));
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
  });
}
