/**
 * The long files of the long-form benches, built with ffmpeg into the temp dir (never committed):
 * the 6-minute file, and every exact English clip of test/fixtures joined with pauses (a
 * long file with an exact reference), and held-out joins of the same clips in seeded random orders
 * with random pauses (the chunk-plan bench).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { references } from '../../test/support/paths.js';
import { mulberry32 } from '../../test/support/random.js';
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

/** ffmpeg: the files, each resampled to 16 kHz mono, joined with `gap` s of silence after each (one gap, or one per file). */
function join(files: string[], out: string, gap: number | number[] = 0) {
  const inputs = files.flatMap((f) => ['-i', f]);
  const pad = (i: number) => {
    const g = Array.isArray(gap) ? gap[i] : gap;
    return g > 0 ? `,apad=pad_dur=${g.toFixed(2)}` : '';
  };
  const filter = files.map((_, i) => `[${i}:a]aresample=16000,pan=mono|c0=c0${pad(i)}[a${i}]`).join(';') + ';' + files.map((_, i) => `[a${i}]`).join('') + `concat=n=${files.length}:v=0:a=1[out]`;
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...inputs, '-filter_complex', filter, '-map', '[out]', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', out]);
}

/** Every exact English clip under 30 s, in the references' order, 1.5 s apart; and its reference. */
export function exactClipsFile(): { file: string; ref: string; seconds: number } {
  const clips = references().filter((r) => r.quality === 'exact' && r.language === 'en' && r.duration < 30);
  const out = path.join(tmpdir(), 'bench-exact-clips-joined.wav');
  if (!existsSync(out)) join(clips.map((c) => audioPath(c.file)), out, 1.5);
  return { file: out, ref: clips.map((c) => c.text).join(' '), seconds: clips.reduce((n, c) => n + c.duration + 1.5, 0) };
}

/**
 * `count` long files with exact references that no chunking rule was tuned on: the exact English
 * clips under 30 s (jfk once) in a seeded random order, each followed by a random 0.4–1.4 s pause.
 */
export function shuffledJoins(count: number): { name: string; file: string; ref: string }[] {
  const clips = references().filter((r) => r.quality === 'exact' && r.language === 'en' && r.duration < 30 && (!r.file.startsWith('jfk.') || r.file === 'jfk.wav'));
  return Array.from({ length: count }, (_, k) => {
    const random = mulberry32(1000 + k);
    const order = clips.map((c) => ({ c, key: random() })).sort((a, b) => a.key - b.key).map((x) => x.c);
    const gaps = order.map(() => 0.4 + random());
    const file = path.join(tmpdir(), `bench-shuffled-join-${k}.wav`);
    if (!existsSync(file)) join(order.map((c) => audioPath(c.file)), file, gaps);
    return { name: `held-out join ${k + 1}`, file, ref: order.map((c) => c.text).join(' ') };
  });
}
