/**
 * 16 kHz PCM WAV read in-process (audio/wav.ts): the same samples as ffmpeg's decode of the same
 * file, and every file it does not fully understand handed to the wrapped decoder untouched.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWhileUploading } from '../../src/audio/early-decode.js';
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import type { AudioDecoder, DecodedAudio } from '../../src/audio/types.js';
import { wavLayout, withWavReader } from '../../src/audio/wav.js';
import { audioPath } from '../support/paths.js';

const ffmpegDecoder = createFfmpegDecoder();
let dir: string;
const tmp = (name: string) => path.join(dir, name);
const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);

/** A decoder that records what reached it and answers with a marker. */
function recording() {
  const calls: string[] = [];
  const marker: DecodedAudio = { pcm: new Float32Array(3), duration: 3 / 16000 };
  const inner: AudioDecoder = { decodeFile: async (p) => (calls.push(p), marker) };
  return { calls, marker, decoder: withWavReader(inner) };
}

/** A RIFF/WAVE file: the given chunks in order (ids of four characters). */
function riff(...chunks: [string, Buffer][]): Buffer {
  const parts = chunks.flatMap(([id, body]) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(body.length, 4);
    return body.length & 1 ? [head, body, Buffer.alloc(1)] : [head, body];
  });
  const size = parts.reduce((n, p) => n + p.length, 4);
  const top = Buffer.alloc(12);
  top.write('RIFF', 0, 'latin1');
  top.writeUInt32LE(size, 4);
  top.write('WAVE', 8, 'latin1');
  return Buffer.concat([top, ...parts]);
}

function fmt(code: number, channels: number, rate: number, bits: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(code, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE((rate * channels * bits) / 8, 8);
  b.writeUInt16LE((channels * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  return b;
}

const int16 = (...xs: number[]) => Buffer.from(new Int16Array(xs).buffer);

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wav-'));
  ffmpeg('-i', audioPath('jfk.wav'), '-c:a', 'pcm_f32le', tmp('speech-f32.wav'));
  ffmpeg('-i', audioPath('jfk.wav'), '-c:a', 'pcm_s24le', tmp('speech-s24.wav'));
  // WAVE_FORMAT_EXTENSIBLE: what ffmpeg writes for more than two channels, or when asked.
  ffmpeg('-i', audioPath('jfk.wav'), '-c:a', 'pcm_s16le', '-rf64', 'never', '-write_bext', '1', tmp('speech-bext.wav'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('withWavReader: the same samples as ffmpeg', () => {
  const same = (a: DecodedAudio, b: DecodedAudio) => {
    expect(a.duration).toBe(b.duration);
    expect(Buffer.from(a.pcm.buffer, a.pcm.byteOffset, a.pcm.byteLength).equals(Buffer.from(b.pcm.buffer, b.pcm.byteOffset, b.pcm.byteLength))).toBe(true);
  };

  it.each(['jfk.wav', 'long_concat_en_16k.wav', 'fw_stereo_diarization.wav'])('%s, mono (a stereo file mixed as ffmpeg mixes it)', async (clip) => {
    const { calls, decoder } = recording();
    same(await decoder.decodeFile(audioPath(clip)), await ffmpegDecoder.decodeFile(audioPath(clip)));
    expect(calls).toEqual([]);
  });

  it('float32 samples and a file with a bext chunk before its data', async () => {
    const { calls, decoder } = recording();
    for (const f of ['speech-f32.wav', 'speech-bext.wav']) same(await decoder.decodeFile(tmp(f)), await ffmpegDecoder.decodeFile(tmp(f)));
    expect(calls).toEqual([]);
  });

  it('both channels of a stereo file, and a mono file as two equal channels', async () => {
    const { decoder } = recording();
    for (const clip of ['fw_stereo_diarization.wav', 'jfk.wav']) {
      const ours = await decoder.decodeFile(audioPath(clip), { channels: 2 });
      const theirs = await ffmpegDecoder.decodeFile(audioPath(clip), { channels: 2 });
      same(ours, theirs);
      same({ pcm: ours.channels![0], duration: 0 }, { pcm: theirs.channels![0], duration: 0 });
      same({ pcm: ours.channels![1], duration: 0 }, { pcm: theirs.channels![1], duration: 0 });
    }
  });
});

describe('withWavReader: everything else goes to the wrapped decoder', () => {
  it.each([
    ['another rate (22.05 kHz)', () => audioPath('ljspeech_LJ002-0020.wav')],
    ['24-bit samples', () => tmp('speech-s24.wav')],
    ['FLAC', () => audioPath('jfk.flac')],
    ['AIFF', () => audioPath('sr_french.aiff')],
  ])('%s', async (_, file) => {
    const { calls, marker, decoder } = recording();
    expect(await decoder.decodeFile(file())).toBe(marker);
    expect(calls).toEqual([file()]);
  });

  it('headers it cannot trust: truncated data, a size left unknown, no fmt chunk, a data size that splits a frame, three channels', async () => {
    const samples = int16(1, 2, 3, 4);
    const files: Record<string, Buffer> = {
      truncated: riff(['fmt ', fmt(1, 1, 16000, 16)], ['data', samples]).subarray(0, 44 + 4),
      unknown: (() => {
        const b = riff(['fmt ', fmt(1, 1, 16000, 16)], ['data', samples]);
        b.writeUInt32LE(0xffffffff, 40);
        return b;
      })(),
      'no fmt': riff(['data', samples]),
      'split frame': riff(['fmt ', fmt(1, 2, 16000, 16)], ['data', samples.subarray(0, 6)]),
      'three channels': riff(['fmt ', fmt(1, 3, 16000, 16)], ['data', int16(1, 2, 3)]),
      'not RIFF': Buffer.from('hello, this is not a wav file at all'),
    };
    for (const [name, bytes] of Object.entries(files)) {
      await fs.writeFile(tmp(name), bytes);
      const { calls, marker, decoder } = recording();
      expect(await decoder.decodeFile(tmp(name)), name).toBe(marker);
      expect(calls).toEqual([tmp(name)]);
    }
  });
});

describe('withWavReader: reading', () => {
  it('steps over odd-sized chunks and their pad byte, and scales s16 as ffmpeg does', async () => {
    const file = tmp('odd.wav');
    await fs.writeFile(file, riff(['LIST', Buffer.from('odd')], ['fmt ', fmt(1, 1, 16000, 16)], ['data', int16(-32768, 0, 16384, 32767)]));
    const { calls, decoder } = recording();
    expect(Array.from((await decoder.decodeFile(file)).pcm)).toEqual([-1, 0, 0.5, 32767 / 32768].map(Math.fround));
    expect(calls).toEqual([]);
  });

  it('audio over maxDurationSeconds is refused with audio_too_long before it is read', async () => {
    const { decoder } = recording();
    await expect(decoder.decodeFile(audioPath('long_concat_en_16k.wav'), { maxDurationSeconds: 5 })).rejects.toMatchObject({ status: 400, code: 'audio_too_long' });
  });

  it('an aborted request is a cancellation', async () => {
    const { decoder } = recording();
    await expect(decoder.decodeFile(audioPath('jfk.wav'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'request_cancelled' });
  });

  it('wavLayout reads the header alone', async () => {
    // jfk.wav: fmt, a LIST chunk, then data.
    const head = (await fs.readFile(audioPath('jfk.wav'))).subarray(0, 128);
    expect(wavLayout(head)).toMatchObject({ channels: 1, bits: 16, dataOffset: 78 });
    expect(wavLayout(head.subarray(0, 64))).toBeUndefined();
    // The whole data chunk must be in the file when its size is known.
    expect(wavLayout(head, 128)).toBeUndefined();
  });
});

describe('decodeWhileUploading with a decoder that reads the file in-process', () => {
  it('starts no early decode for a 16 kHz WAV, and still does for FLAC', async () => {
    let streams = 0;
    const inner: AudioDecoder = {
      decodeFile: ffmpegDecoder.decodeFile,
      decodeStream: async (s, o) => (streams++, ffmpegDecoder.decodeStream!(s, o)),
    };
    const decoder = withWavReader(inner);
    const upload = async (file: string) => {
      const source = createReadStream(file, { highWaterMark: 4096 });
      const early = decodeWhileUploading(decoder, source, { maxDurationSeconds: 3600 })!;
      await pipeline(source, createWriteStream(tmp(`spool-${path.basename(file)}`)));
      return early.result;
    };
    expect(await upload(audioPath('jfk.wav'))).toBeUndefined();
    expect(streams).toBe(0);
    expect((await upload(audioPath('jfk.flac')))?.duration).toBeGreaterThan(10);
    expect(streams).toBe(1);
  });
});
