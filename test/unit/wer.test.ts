import { describe, expect, it } from 'vitest';
import { normalize, spellNumber, wer } from '../support/wer.js';

describe('WER normalisation', () => {
  it('reads years and plain numbers as words', () => {
    expect(spellNumber(1813)).toBe('eighteen thirteen');
    expect(spellNumber(42)).toBe('forty two');
    expect(spellNumber(2000)).toBe('two thousand');
    expect(normalize('In 1813, Mr. Smith')).toEqual(['in', 'eighteen', 'thirteen', 'mister', 'smith']);
  });

  it('counts substitutions, insertions and deletions against the reference length', () => {
    expect(wer('the cat sat', 'The cat sat.')).toBe(0);
    expect(wer('the cat sat', 'the bat sat down')).toBeCloseTo(2 / 3);
    expect(wer('a b c d', 'a c d')).toBe(0.25);
  });
});
