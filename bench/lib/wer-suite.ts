/**
 * Runs several decoding configurations over the English clips with exact references, alternating
 * clip by clip (the first rotates, so load changes hit all alike), and sums word errors and time.
 */
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import type { DecodeParams, LoadedModel } from '../../src/engine/types.js';
import { audioPath, references, type Reference } from '../../test/support/paths.js';
import { normalize, wordErrors } from '../../test/support/wer.js';

export interface WerConfig {
  name: string;
  model: () => Promise<LoadedModel>;
  /** Params for one clip (its PCM length lets a policy size itself to the clip). */
  params: (pcm: Float32Array) => DecodeParams;
  errors: number;
  words: number;
  seconds: number;
  /** Clips whose last reference word is missing from the output (a word lost at the end). */
  lostEnd: string[];
}

export const werConfig = (name: string, model: () => Promise<LoadedModel>, params: (pcm: Float32Array) => DecodeParams): WerConfig =>
  ({ name, model, params, errors: 0, words: 0, seconds: 0, lostEnd: [] });

export async function runWerSuite(configs: WerConfig[], filter: (r: Reference) => boolean = () => true): Promise<{ clips: number; audioSeconds: number }> {
  const clips = references().filter((r) => r.quality === 'exact' && r.language === 'en' && filter(r));
  const decoder = createFfmpegDecoder();
  let audioSeconds = 0;
  for (const [i, clip] of clips.entries()) {
    const { pcm, duration } = await decoder.decodeFile(audioPath(clip.file));
    audioSeconds += duration;
    const ref = normalize(clip.text);
    for (let k = 0; k < configs.length; k++) {
      const c = configs[(i + k) % configs.length];
      const m = await c.model();
      const started = performance.now();
      const t = await m.transcribe(pcm, c.params(pcm));
      c.seconds += (performance.now() - started) / 1000;
      const hyp = normalize(t.text);
      c.errors += wordErrors(ref, hyp);
      c.words += ref.length;
      if (!hyp.slice(-3).includes(ref[ref.length - 1])) c.lostEnd.push(clip.file);
    }
    console.error(`  ${clip.file} done`);
  }
  return { clips: clips.length, audioSeconds };
}
