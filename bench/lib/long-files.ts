/**
 * The long files of the long-form benches, built with ffmpeg into the temp dir (never committed):
 * the 6-minute file, and every exact English clip of test/fixtures joined with pauses (a
 * long file with an exact reference).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { references } from '../../test/support/paths.js';
import { audioPath } from './env.js';

const SIX_MINUTES = ['long_concat_en_16k.wav', 'librispeech_1272-141231-0002.flac', 'churchill.wav', 'long_concat_en_16k.wav', 'lucier_i_am_sitting_in_a_room.wav', 'long_concat_en_16k.wav'];

/** The 6-minute file (363 s, 16 kHz mono), or undefined when its two outside clips are absent. */
export function sixMinuteFile(): string | undefined {
  const outside = process.env.BENCH_AUDIO_DIR;
  if (!outside) return undefined;
  const files = SIX_MINUTES.map((f) => (existsSync(audioPath(f)) ? audioPath(f) : path.join(outside, f)));
  if (!files.every(existsSync)) return undefined;
  const out = path.join(tmpdir(), 'bench-six-minutes.wav');
  if (!existsSync(out)) join(files, out);
  return out;
}

/** ffmpeg: the files, each resampled to 16 kHz mono, joined with `gap` s of silence between them. */
function join(files: string[], out: string, gap = 0) {
  const inputs = files.flatMap((f) => ['-i', f]);
  const pad = gap > 0 ? `,apad=pad_dur=${gap}` : '';
  const filter = files.map((_, i) => `[${i}:a]aresample=16000,pan=mono|c0=c0${pad}[a${i}]`).join(';') + ';' + files.map((_, i) => `[a${i}]`).join('') + `concat=n=${files.length}:v=0:a=1[out]`;
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...inputs, '-filter_complex', filter, '-map', '[out]', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', out]);
}

/** Every exact English clip under 30 s, in the references' order, 1.5 s apart; and its reference. */
export function exactClipsFile(): { file: string; ref: string; seconds: number } {
  const clips = references().filter((r) => r.quality === 'exact' && r.language === 'en' && r.duration < 30);
  const out = path.join(tmpdir(), 'bench-exact-clips-joined.wav');
  if (!existsSync(out)) join(clips.map((c) => audioPath(c.file)), out, 1.5);
  return { file: out, ref: clips.map((c) => c.text).join(' '), seconds: clips.reduce((n, c) => n + c.duration + 1.5, 0) };
}
