import { afterAll, describe, expect, it } from 'vitest';
import { references } from '../support/paths.js';
import { normalize, wordErrors } from '../support/wer.js';
import { realEngine } from './setup.js';

const JFK = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const { pool, transcribe } = realEngine();
afterAll(() => pool.close());

describe('imported tiny.en on real speech', () => {
  it('transcribes jfk.wav to the known sentence', async () => {
    const t = await transcribe('tiny.en', 'jfk.wav');
    expect(normalize(t.text)).toEqual(normalize(JFK));
    expect(t.language).toBe('en');
    expect(t.duration).toBeCloseTo(11, 1);
  });

  it('keeps normalised WER over the exact English references in line with tiny.en (LibriSpeech clean ≈ 5.6%)', async () => {
    // jfk.mp3/jfk.flac repeat jfk.wav and are covered by the format tests.
    const clips = references().filter((r) => r.quality === 'exact' && r.language === 'en' && !/^jfk\.(mp3|flac)$/.test(r.file));
    expect(clips.length).toBeGreaterThanOrEqual(9);
    let errors = 0;
    let words = 0;
    const perClip: Record<string, number> = {};
    for (const clip of clips) {
      const t = await transcribe('tiny.en', clip.file);
      const ref = normalize(clip.text);
      const e = wordErrors(ref, normalize(t.text));
      perClip[clip.file] = Number((e / ref.length).toFixed(3));
      errors += e;
      words += ref.length;
    }
    const total = errors / words;
    console.info(`tiny.en greedy WER ${(total * 100).toFixed(2)}% over ${words} words`, perClip);
    expect(total).toBeLessThan(0.1);
    // No single clip may be garbage: that would point at a broken import, not at tiny's limits.
    for (const [file, w] of Object.entries(perClip)) expect([file, w < 0.35]).toEqual([file, true]);
  });
});

describe('imported base (multilingual)', () => {
  const foreign = references().filter((r) => r.quality === 'exact' && r.language !== 'en');

  const texts = new Map<string, string>();

  it.each(foreign.map((r) => [r.file, r.language] as const))('detects the language of %s as %s', async (file, language) => {
    const t = await transcribe('base', file);
    texts.set(file, t.text);
    expect(t.language).toBe(language);
  });

  it('transcribes the Latin-script clips close to their references', () => {
    // Aggregate over es/de/fr/it/pt: one short sentence alone is too noisy for a threshold.
    const latin = foreign.filter((r) => ['es', 'de', 'fr', 'it', 'pt'].includes(r.language));
    let errors = 0;
    let words = 0;
    for (const r of latin) {
      const ref = normalize(r.text);
      errors += wordErrors(ref, normalize(texts.get(r.file) ?? ''));
      words += ref.length;
    }
    console.info(`base greedy WER on es/de/fr/it/pt: ${((errors / words) * 100).toFixed(1)}% over ${words} words`);
    expect(errors / words).toBeLessThan(0.4);
  });

  it('translates German speech into English', async () => {
    const t = await transcribe('base', 'picovoice_test_de.wav', { translate: true });
    expect(t.task).toBe('translate');
    expect(t.text).toMatch(/^[\x20-\x7e]+$/);
    expect(normalize(t.text)).toEqual(expect.arrayContaining(['the']));
  });
});
