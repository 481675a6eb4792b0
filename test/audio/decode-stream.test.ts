/**
 * ffmpeg reading an upload as it arrives (decodeStream, decodeWhileUploading), on real files:
 * the same samples as the file decode, and a clean fallback where a pipe cannot work (an MP4 with
 * its index at the end), without ever holding back the spool write.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodesFromPipe, decodeWhileUploading } from '../../src/audio/early-decode.js';
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { audioPath } from '../support/paths.js';

const decoder = createFfmpegDecoder();
let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'decode-stream-'));
  // AAC in MP4: ffmpeg writes the index (moov) after the audio unless told +faststart.
  const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', audioPath('jfk.wav'), '-c:a', 'aac', '-b:a', '64k', ...args]);
  ffmpeg(path.join(dir, 'index-at-end.m4a'));
  ffmpeg('-movflags', '+faststart', path.join(dir, 'index-first.m4a'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('decodeStream', () => {
  it.each(['jfk.wav', 'jfk.flac', 'librispeech_2412-153948-0000.flac', 'sr_french.aiff'])('reads %s from a stream sample for sample as from the file', async (clip) => {
    const fromFile = await decoder.decodeFile(audioPath(clip));
    const fromStream = await decoder.decodeStream!(createReadStream(audioPath(clip)));
    expect(fromStream.duration).toBe(fromFile.duration);
    expect(Buffer.from(fromStream.pcm.buffer).equals(Buffer.from(fromFile.pcm.buffer))).toBe(true);
  });

  it('reads an MP3 with a few hundred samples of end padding more than from the file (why MP3 is not decoded early)', async () => {
    const fromFile = await decoder.decodeFile(audioPath('jfk.mp3'));
    const fromStream = await decoder.decodeStream!(createReadStream(audioPath('jfk.mp3')));
    expect(fromStream.pcm.length - fromFile.pcm.length).toBeGreaterThan(0);
    expect(fromStream.pcm.length - fromFile.pcm.length).toBeLessThan(1200);
    // The same time base: every sample of the file decode is there, in place.
    expect(Buffer.from(fromStream.pcm.buffer, 0, fromFile.pcm.byteLength).equals(Buffer.from(fromFile.pcm.buffer))).toBe(true);
  });

  it('reads an MP4 whose index comes first; one with the index at the end fails from a pipe and decodes from the file', async () => {
    const first = path.join(dir, 'index-first.m4a');
    expect((await decoder.decodeStream!(createReadStream(first))).duration).toBeCloseTo((await decoder.decodeFile(first)).duration, 2);
    const atEnd = path.join(dir, 'index-at-end.m4a');
    await expect(decoder.decodeStream!(createReadStream(atEnd))).rejects.toMatchObject({ status: 400 });
    expect((await decoder.decodeFile(atEnd)).duration).toBeGreaterThan(10);
  });
});

describe('decodeWhileUploading', () => {
  const upload = async (file: string, maxDurationSeconds = 3600) => {
    const source = createReadStream(file, { highWaterMark: 4096 });
    const spool = path.join(dir, `spool-${path.basename(file)}`);
    const early = decodeWhileUploading(decoder, source, { maxDurationSeconds })!;
    await pipeline(source, createWriteStream(spool));
    return { early, spool };
  };

  it('decodes while the spool is written, and the spool holds every byte', async () => {
    const { early, spool } = await upload(audioPath('jfk.flac'));
    expect(await fs.readFile(spool)).toEqual(await fs.readFile(audioPath('jfk.flac')));
    const audio = await early.result;
    expect(audio?.duration).toBe((await decoder.decodeFile(audioPath('jfk.flac'))).duration);
  });

  it('MP3 and MP4 are left to the file decode; WAV, FLAC, OGG and AIFF decode from the pipe', async () => {
    const head = async (file: string) => (await fs.readFile(file)).subarray(0, 64);
    expect(decodesFromPipe(await head(audioPath('jfk.mp3')))).toBe(false);
    expect(decodesFromPipe(await head(path.join(dir, 'index-first.m4a')))).toBe(false);
    expect(decodesFromPipe(Buffer.from([0xff, 0xfb, 0x90, 0x64]))).toBe(false); // an MP3 frame without ID3
    for (const clip of ['jfk.wav', 'jfk.flac', 'sr_french.aiff']) expect(decodesFromPipe(await head(audioPath(clip))), clip).toBe(true);
    expect(decodesFromPipe(Buffer.from('OggS\0\x02'))).toBe(true);
    expect(decodesFromPipe(Buffer.alloc(0))).toBe(false);
    const { early, spool } = await upload(audioPath('jfk.mp3'));
    expect(await early.result).toBeUndefined();
    expect(await fs.readFile(spool)).toEqual(await fs.readFile(audioPath('jfk.mp3')));
  });

  it('when ffmpeg gives up early (not audio), the result is undefined and the rest of the upload still reaches the spool', async () => {
    const file = path.join(dir, 'noise.bin');
    await fs.writeFile(file, Buffer.alloc(2 << 20, 'not audio, just bytes '));
    const { early, spool } = await upload(file);
    expect(await early.result).toBeUndefined();
    expect((await fs.stat(spool)).size).toBe((await fs.stat(file)).size);
  });

  it('audio over the limit stops the decode (undefined: the file decode gives the error) and the spool is still whole', async () => {
    const { early, spool } = await upload(audioPath('long_concat_en_16k.wav'), 5);
    expect(await early.result).toBeUndefined();
    expect((await fs.stat(spool)).size).toBe((await fs.stat(audioPath('long_concat_en_16k.wav'))).size);
  });

  it('cancel stops ffmpeg: the result is undefined', async () => {
    const source = createReadStream(audioPath('long_concat_en_16k.wav'), { highWaterMark: 4096 });
    const early = decodeWhileUploading(decoder, source, { maxDurationSeconds: 3600 })!;
    early.cancel();
    await pipeline(source, createWriteStream(path.join(dir, 'cancelled.wav')));
    expect(await early.result).toBeUndefined();
  });
});
