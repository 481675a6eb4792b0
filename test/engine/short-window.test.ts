/**
 * The short window on real speech: clips under the 30 s window, encoded over their own length
 * (floor and margin of src/services/short-window.ts), keep every word, the last one included.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { shortWindowFrames } from '../../src/engine/short-window.js';
import { audioPath, references } from '../support/paths.js';
import { normalize, wordErrors } from '../support/wer.js';
import { realEngine } from './setup.js';

const { pool, decoder, transcribe } = realEngine();
afterAll(() => pool.close());

const CLIPS = ['jfk.wav', 'ps_forever_input_2_16k.wav', 'ljspeech_LJ002-0020.wav', 'librispeech_2412-153948-0000.flac', 'sr_english.wav'];

describe('short window on tiny.en', () => {
  it('loses no word at the end and no accuracy against the full window', async () => {
    const refs = new Map(references().map((r) => [r.file, normalize(r.text)]));
    let shortErrors = 0;
    let fullErrors = 0;
    for (const clip of CLIPS) {
      const { pcm } = await decoder.decodeFile(audioPath(clip));
      const frames = shortWindowFrames(pcm.length);
      expect(frames).toBeLessThan(1500);
      const ref = refs.get(clip)!;
      const short = normalize((await transcribe('tiny.en', clip, { audioCtx: frames })).text);
      const full = normalize((await transcribe('tiny.en', clip)).text);
      expect(short.slice(-3), `${clip}: last word`).toContain(ref[ref.length - 1]);
      shortErrors += wordErrors(ref, short);
      fullErrors += wordErrors(ref, full);
    }
    // At most one more word wrong over the five clips (≈ 120 words).
    expect(shortErrors).toBeLessThanOrEqual(fullErrors + 1);
  });
});
