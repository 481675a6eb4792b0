/**
 * A recording long enough to still be decoding when a test acts on it (disconnects, cancels, kills,
 * fills the queue): the 80 s fixture clip said `times` over, as one 16 kHz mono WAV in the temp dir.
 * The 80 s clip alone is no longer enough: Engine 3 reads it in about 1.3 s over HTTP on 2 cores, so
 * a test that waited for it to start and then acted could find it already finished.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { wavLayout } from '../../src/audio/wav.js';
import { audioPath } from './paths.js';

const CLIP = 'long_concat_en_16k.wav';

/** The path of the 80 s clip said `times` over (built once per temp dir; the name says how many times). */
export function longSpeechFile(times = 4): string {
  const out = path.join(tmpdir(), `whisper-server-test-long-x${times}.wav`);
  if (existsSync(out)) return out;
  const bytes = readFileSync(audioPath(CLIP));
  const layout = wavLayout(bytes, bytes.length);
  if (!layout || layout.channels !== 1 || layout.bits !== 16) throw new Error(`${CLIP}: expected a 16 kHz mono 16-bit WAV`);
  const samples = bytes.subarray(layout.dataOffset, layout.dataOffset + layout.dataBytes);
  const data = Buffer.concat(Array.from({ length: times }, () => samples));
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8, 'latin1');
  head.writeUInt32LE(16, 16); // fmt chunk size
  head.writeUInt16LE(1, 20); // PCM
  head.writeUInt16LE(1, 22); // mono
  head.writeUInt32LE(16000, 24);
  head.writeUInt32LE(32000, 28); // bytes per second
  head.writeUInt16LE(2, 32); // block align
  head.writeUInt16LE(16, 34); // bits
  head.write('data', 36, 'latin1');
  head.writeUInt32LE(data.length, 40);
  // Written aside and renamed: parallel test files never read half a file.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([head, data]));
  renameSync(tmp, out);
  return out;
}
