/**
 * Decodes any container/codec ffmpeg knows into 16 kHz mono float32, in memory.
 * The sure input is a file on disk, because MP4/M4A need a seekable input (the moov atom may sit
 * at the end); decodeStream reads a stream as it arrives (an upload still coming in), and fails on
 * such files, so its callers keep the file to fall back on.
 */
import type { Readable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { errors } from '../errors.js';
import { SAMPLE_RATE, type AudioDecoder, type DecodedAudio, type DecodeOptions } from './types.js';

export interface FfmpegDecoderOptions {
  /** Defaults to FFMPEG_PATH / FFPROBE_PATH or the binaries on PATH. */
  ffmpegPath?: string;
  ffprobePath?: string;
}

/**
 * The last lines ffmpeg wrote to stderr carry the reason; the banner and progress do not.
 * ffmpeg quotes its input path, and a client must not learn where uploads are spooled.
 */
export function ffmpegReason(stderr: string | null | undefined, fallback: string, inputPath?: string): string {
  const banner = /^(ffmpeg|ffprobe) version|^built with|^configuration:|^lib\w+\s+\d/;
  const lines = (stderr ?? '').split('\n').map((l) => l.trim()).filter((l) => l && !banner.test(l));
  const reason = lines.slice(-2).join(' / ') || fallback;
  return (inputPath ? reason.split(inputPath).join('input') : reason).slice(0, 500);
}

function decodePcm(input: string | Readable, opts: DecodeOptions): Promise<Float32Array> {
  const channels = opts.channels ?? 1;
  const maxBytes = opts.maxDurationSeconds ? Math.ceil(opts.maxDurationSeconds * SAMPLE_RATE) * 4 * channels : Infinity;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let failure: Error | undefined;
    const command = ffmpeg(input)
      .inputOptions(typeof input === 'string' ? ['-nostdin', '-hide_banner'] : ['-hide_banner'])
      .noVideo()
      .audioChannels(channels)
      .audioFrequency(SAMPLE_RATE)
      .audioCodec('pcm_f32le')
      .format('f32le')
      .outputOptions(['-loglevel', 'error']);
    const stop = (err: Error) => {
      failure ??= err;
      command.kill('SIGKILL');
    };
    const onAbort = () => stop(errors.aborted());
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (err?: Error) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (failure ?? err) return reject(failure ?? err);
      // Copy into a fresh, 4-byte aligned buffer: Buffer.concat may hand back a pooled slice.
      const pcm = new Float32Array(bytes / 4);
      let offset = 0;
      for (const c of chunks) {
        new Uint8Array(pcm.buffer).set(c, offset);
        offset += c.length;
      }
      resolve(pcm);
    };
    command.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      // One pass, no ffprobe first: a file without an audio stream is known from ffmpeg's own words.
      const reason = NO_AUDIO.test(stderr ?? '') ? 'the file has no audio stream' : ffmpegReason(stderr, err.message, typeof input === 'string' ? input : undefined);
      finish(failure ? undefined : errors.unsupportedAudio(reason, err));
    });
    const out = command.pipe();
    out.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) return stop(errors.audioTooLong(bytes / 4 / channels / SAMPLE_RATE, opts.maxDurationSeconds!));
      chunks.push(chunk);
    });
    out.on('end', () => finish());
  });
}

/** What ffmpeg says when `-vn` leaves nothing to write (a video-only or data-only file). */
const NO_AUDIO = /does not contain any stream|Output file .* does not contain any stream|matches no streams/;

export function createFfmpegDecoder(opts: FfmpegDecoderOptions = {}): AudioDecoder {
  if (opts.ffmpegPath) ffmpeg.setFfmpegPath(opts.ffmpegPath);
  if (opts.ffprobePath) ffmpeg.setFfprobePath(opts.ffprobePath);
  return {
    decodeFile: (path: string, decodeOpts: DecodeOptions = {}) => decode(path, decodeOpts),
    decodeStream: (stream: Readable, decodeOpts: DecodeOptions = {}) => decode(stream, decodeOpts),
  };
}

async function decode(input: string | Readable, opts: DecodeOptions): Promise<DecodedAudio> {
  // One ffmpeg pass: the decode stops as soon as it passes maxDurationSeconds (a header's
  // duration can lie anyway), so an up-front ffprobe only cost a process start per request.
  if (opts.signal?.aborted) throw errors.aborted();
  const pcm = await decodePcm(input, opts);
  if (pcm.length === 0) throw errors.unsupportedAudio('the audio stream decoded to zero samples');
  if (opts.channels === 2) return splitStereo(pcm);
  return { pcm, duration: pcm.length / SAMPLE_RATE };
}

/** Interleaved stereo → left, right and their mean (ffmpeg's own mono downmix, `-ac 1`, is (L + R) × √½ instead). */
function splitStereo(interleaved: Float32Array): DecodedAudio {
  const n = interleaved.length >> 1;
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  const pcm = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    left[i] = interleaved[2 * i];
    right[i] = interleaved[2 * i + 1];
    pcm[i] = (left[i] + right[i]) / 2;
  }
  return { pcm, duration: n / SAMPLE_RATE, channels: [left, right] };
}
