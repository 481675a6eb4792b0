/** languages[]: detection restricted to the allowed codes, on the real multilingual model. */
import { afterAll, describe, expect, it } from 'vitest';
import { realEngine } from './setup.js';

const { pool, transcribe } = realEngine();
afterAll(() => pool.close());

describe('languages[] on base', () => {
  it('finds the spoken language when it is among the allowed ones', async () => {
    expect((await transcribe('base', 'picovoice_test_de.wav', { languages: ['fr', 'de', 'en'] })).language).toBe('de');
    expect((await transcribe('base', 'jfk.wav', { languages: ['de', 'en'] })).language).toBe('en');
  });

  it('never answers a language outside the list: German speech limited to Spanish and Italian', async () => {
    const free = await transcribe('base', 'picovoice_test_de.wav');
    expect(free.language).toBe('de');
    const limited = await transcribe('base', 'picovoice_test_de.wav', { languages: ['es', 'it'] });
    expect(['es', 'it']).toContain(limited.language);
  });

  it('a single allowed code is used as the language without detection', async () => {
    const t = await transcribe('base', 'picovoice_test_fr.wav', { languages: ['fr'] });
    expect(t.language).toBe('fr');
    expect(t.text.length).toBeGreaterThan(10);
  });

  it('an unknown code is a 400 naming languages, and an English-only model ignores the list', async () => {
    await expect(transcribe('base', 'jfk.wav', { languages: ['en', 'xx'] })).rejects.toMatchObject({ status: 400, param: 'languages' });
    expect((await transcribe('tiny.en', 'jfk.wav', { languages: ['de', 'fr'] })).language).toBe('en');
  });
});
