/**
 * The short window on real speech: clips under the 30 s window, encoded over their own length
 * (floor and margin of src/engine/short-window.ts), keep every word, the last one included; and a
 * window whisper.cpp reads again from its last timestamp (the patch's audio_ctx_floor/margin) too.
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

describe('a short window read in two windows (a long file\'s chunk)', () => {
  // Three clips 1.5 s apart, as the long-form bench joins them: tiny.en stops its first decode at
  // about 13 s of the 18 s, and whisper.cpp reads the rest again from the last timestamp, on a
  // window sized to what is left (the patch) instead of the whole 18 s.
  const CHUNK = ['librispeech_2412-153948-0000.flac', 'ljspeech_LJ002-0020.wav', 'ljspeech_LJ002-0035.wav'];

  it('keeps every word to the end, with timestamps inside the audio', async () => {
    const parts = await Promise.all(CHUNK.map(async (clip) => (await decoder.decodeFile(audioPath(clip))).pcm));
    const gap = new Float32Array(1.5 * 16_000);
    const pcm = new Float32Array(parts.reduce((n, p) => n + p.length + gap.length, 0) - gap.length);
    parts.reduce((at, p) => (pcm.set(p, at), at + p.length + gap.length), 0);
    const windows: number[] = [];
    const t = await pool.withModel('tiny.en', undefined, (m) =>
      m.transcribe(pcm, { beamSize: 1, threads: 1, audioCtx: shortWindowFrames(pcm.length) }, { onProgress: (f) => windows.push(f) }),
    );
    // whisper.cpp reports progress as each window starts, and 1 once it is done: two windows here.
    expect(windows.filter((f) => f > 0 && f < 1).length, `progress ${windows.join(', ')}`).toBeGreaterThanOrEqual(1);
    const refs = new Map(references().map((r) => [r.file, normalize(r.text)]));
    const ref = CHUNK.flatMap((clip) => refs.get(clip)!);
    const text = normalize(t.text);
    // Read the same with whisper.cpp's own rule (the second window as long as the first), measured:
    // "... myself. In 1813, 8. press yard." (1 error of 43 words: "the" before "press yard").
    expect(text.slice(-2), 'the last words').toEqual(ref.slice(-2));
    expect(wordErrors(ref, text)).toBeLessThanOrEqual(2);
    for (const s of t.segments) expect(s.end).toBeLessThanOrEqual(t.duration);
  });
});

