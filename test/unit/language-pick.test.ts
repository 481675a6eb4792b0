import { describe, expect, it } from 'vitest';
import { pickLanguage, resolveLanguage } from '../../src/engine/language.js';

const codes = ['en', 'zh', 'de', 'es'];
const probs = [0.1, 0.05, 0.6, 0.25];

describe('languages[] selection', () => {
  it('picks the most probable allowed language', () => {
    expect(pickLanguage(codes, probs, ['en', 'es'])).toBe('es');
    expect(pickLanguage(codes, probs, ['de', 'en'])).toBe('de');
  });

  it('detects only when it must', async () => {
    let asked = 0;
    const detect = async () => (asked++, { codes, probs });
    expect(await resolveLanguage({ language: 'fr', languages: ['de', 'en'] }, true, detect)).toBe('fr');
    expect(await resolveLanguage({ languages: ['es', 'es'] }, true, detect)).toBe('es');
    expect(await resolveLanguage({}, true, detect)).toBeUndefined();
    expect(await resolveLanguage({ languages: ['de', 'en'] }, false, detect)).toBeUndefined();
    expect(asked).toBe(0);
    expect(await resolveLanguage({ languages: ['en', 'zh'] }, true, detect)).toBe('en');
    expect(asked).toBe(1);
  });

  it('refuses a code whisper does not know', () => {
    expect(() => pickLanguage(codes, probs, ['en', 'tlh'])).toThrow(/Unknown language 'tlh'/);
  });
});
