/**
 * 16 kHz PCM WAV, read in-process. Most clips sent to a speech API are already what the engine
 * takes: a RIFF/WAVE file of 16-bit or float samples at 16 kHz. For those, starting ffmpeg (a
 * process start and dozens of shared libraries, ~80 ms on the 2-core machine) cost more than the
 * decode itself: jfk.wav took 0.08 s of a 0.47 s request. The same samples come out as ffmpeg's
 * (s16 ÷ 32768; two channels mixed as ffmpeg mixes them), checked against ffmpeg by the tests.
 * Anything else (another rate, 24-bit, a truncated or odd header) is left to the wrapped decoder.
 */
import { open, readFile } from 'node:fs/promises';
import { errors } from '../errors.js';
import { SAMPLE_RATE, type AudioDecoder, type DecodedAudio, type DecodeOptions } from './types.js';

const PCM = 1;
const IEEE_FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/** Where a qualifying WAV's samples are, from its header. */
export interface WavLayout {
  channels: 1 | 2;
  /** 16 (integer) or 32 (float). */
  bits: 16 | 32;
  /** Byte offset and length of the data chunk's samples. */
  dataOffset: number;
  dataBytes: number;
}

/**
 * The layout of a 16 kHz, 16-bit integer or 32-bit float, mono or stereo WAV whose `head` holds
 * everything up to its data chunk; undefined for any other file. `fileBytes`, when known, must
 * hold the whole data chunk (a truncated file is left to ffmpeg).
 */
export function wavLayout(head: Uint8Array, fileBytes?: number): WavLayout | undefined {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const tag = (at: number) => String.fromCharCode(head[at], head[at + 1], head[at + 2], head[at + 3]);
  if (head.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return undefined;
  let format: { code: number; channels: number; rate: number; bits: number; align: number } | undefined;
  for (let at = 12; at + 8 <= head.length; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > head.length) return undefined;
      let code = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (code === EXTENSIBLE) code = size >= 40 ? view.getUint16(body + 24, true) : 0;
      format = { code, channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true), align: view.getUint16(body + 12, true) };
    } else if (id === 'data') {
      if (!format || !qualifies(format)) return undefined;
      // 0 and 0xFFFFFFFF are what a writer that could not seek back leaves: let ffmpeg read to the end.
      if (size === 0 || size === 0xffffffff || size % format.align !== 0) return undefined;
      if (fileBytes !== undefined && body + size > fileBytes) return undefined;
      return { channels: format.channels as 1 | 2, bits: format.bits as 16 | 32, dataOffset: body, dataBytes: size };
    }
    // Chunks are word-aligned: an odd size is followed by a pad byte.
    at = body + size + (size & 1);
  }
  return undefined;
}

/** Sample frames (one sample per channel) in the data chunk. */
const framesOf = (layout: WavLayout) => layout.dataBytes / ((layout.bits / 8) * layout.channels);

function qualifies(f: { code: number; channels: number; rate: number; bits: number; align: number }): boolean {
  const sampleType = (f.code === PCM && f.bits === 16) || (f.code === IEEE_FLOAT && f.bits === 32);
  return sampleType && f.rate === SAMPLE_RATE && (f.channels === 1 || f.channels === 2) && f.align === (f.channels * f.bits) / 8;
}

/** The samples as float32: mono as it is, stereo as its mix, and with `channels: 2` left and right too. */
export function wavSamples(bytes: Uint8Array, layout: WavLayout, channels: 1 | 2 = 1): DecodedAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset + layout.dataOffset, layout.dataBytes);
  const width = layout.bits / 8;
  const frames = framesOf(layout);
  const sample = layout.bits === 16 ? (at: number) => view.getInt16(at, true) / 32768 : (at: number) => view.getFloat32(at, true);
  const planes = Array.from({ length: layout.channels }, () => new Float32Array(frames));
  for (let i = 0, at = 0; i < frames; i++) {
    for (let c = 0; c < layout.channels; c++, at += width) planes[c][i] = sample(at);
  }
  const [left, right = left] = planes;
  const duration = frames / SAMPLE_RATE;
  if (channels === 1) return { pcm: layout.channels === 1 ? left : mix(left, right, Math.SQRT1_2), duration };
  // ffmpeg's `-ac 2` spreads one channel over two at √½ each.
  const [l, r] = layout.channels === 1 ? [scale(left, Math.SQRT1_2), scale(left, Math.SQRT1_2)] : [left, right];
  return { pcm: mix(l, r, 0.5), duration, channels: [l, r] };
}

/**
 * libswresample's default matrices, in float32 arithmetic as ffmpeg computes them: `-ac 1` mixes
 * stereo as (L + R) × √½, `-ac 2` spreads mono as M × √½ on each side. The ffmpeg decoder's
 * two-channel decode (ffmpeg.ts) mixes the two as their mean.
 */
function mix(a: Float32Array, b: Float32Array, weight: number): Float32Array {
  const k = Math.fround(weight);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.fround(a[i] * k) + Math.fround(b[i] * k);
  return out;
}

function scale(a: Float32Array, weight: number): Float32Array {
  const k = Math.fround(weight);
  return a.map((x) => x * k);
}

/** Enough of a file to find its data chunk behind the usual fmt, fact, LIST and bext chunks. */
const HEAD_BYTES = 64 * 1024;

/**
 * `inner` with 16 kHz PCM WAV files read in-process (see above); every other file, and every
 * stream, goes to `inner`.
 */
export function withWavReader(inner: AudioDecoder): AudioDecoder {
  return {
    async decodeFile(path: string, opts: DecodeOptions = {}) {
      if (opts.signal?.aborted) throw errors.aborted();
      const layout = await fileLayout(path);
      if (!layout) return inner.decodeFile(path, opts);
      const duration = framesOf(layout) / SAMPLE_RATE;
      if (opts.maxDurationSeconds !== undefined && duration > opts.maxDurationSeconds) throw errors.audioTooLong(duration, opts.maxDurationSeconds);
      const bytes = await readFile(path, { signal: opts.signal }).catch((err: Error) => {
        throw opts.signal?.aborted ? errors.aborted() : err;
      });
      return wavSamples(bytes, layout, opts.channels);
    },
    ...(inner.decodeStream ? { decodeStream: inner.decodeStream.bind(inner) } : {}),
    decodesInProcess: (head: Buffer) => wavLayout(head) !== undefined,
  };
}

async function fileLayout(path: string): Promise<WavLayout | undefined> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return wavLayout(head.subarray(0, bytesRead), size);
  } finally {
    await file.close();
  }
}
