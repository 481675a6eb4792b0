/** Hostile and broken inputs, built at test time (ffmpeg makes the image and the silent video). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { audio } from './server.js';

/** Deterministic noise: the same bytes every run, so "random" never decodes by chance. */
export function noise(length: number, seed = 42): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export function makeFixtures(dir: string) {
  const ff = (...args: string[]) => execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args], { cwd: dir });
  ff('-f', 'lavfi', '-i', 'color=c=red:s=32x32', '-frames:v', '1', 'image.png');
  ff('-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x64:rate=10', '-c:v', 'mpeg4', 'video-no-audio.mp4');
  ff('-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '0', 'zero-length.wav');
  // Known-speaker references: OpenAI takes 2–10 s.
  for (const s of [1, 3, 12]) ff('-f', 'lavfi', '-i', `sine=frequency=220:duration=${s}:sample_rate=16000`, `tone-${s}s.wav`);
  const read = (f: string) => fs.readFileSync(path.join(dir, f));
  return {
    image: read('image.png'),
    videoNoAudio: read('video-no-audio.mp4'),
    zeroLengthWav: read('zero-length.wav'),
    tone1s: read('tone-1s.wav'),
    tone3s: read('tone-3s.wav'),
    tone12s: read('tone-12s.wav'),
    truncatedMp3: fs.readFileSync(audio('jfk.mp3')).subarray(0, 400),
    truncatedFlac: fs.readFileSync(audio('jfk.flac')).subarray(0, 3000),
    truncatedWav: fs.readFileSync(audio('jfk.wav')).subarray(0, 30),
    jfk: fs.readFileSync(audio('jfk.wav')),
    long: fs.readFileSync(audio('long_concat_en_16k.wav')),
  };
}

export interface RawPart {
  name: string;
  /** A Buffer allows bytes that are not UTF-8. */
  filename?: string | Buffer;
  type?: string;
  data: string | Buffer;
}

/** Hand-made multipart, for what FormData cannot express (raw filename bytes, odd headers). */
export function rawMultipart(parts: RawPart[], boundary = 'e2eBoundary7MA4YWxkTrZu0gW') {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const filename = p.filename === undefined ? '' : Buffer.concat([Buffer.from('; filename="'), Buffer.from(p.filename), Buffer.from('"')]);
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`),
      Buffer.from(filename),
      Buffer.from(p.type ? `\r\nContent-Type: ${p.type}` : ''),
      Buffer.from('\r\n\r\n'),
      Buffer.from(p.data),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
