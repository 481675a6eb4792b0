import { describe, expect, it } from 'vitest';
import { repeatedPhrases } from '../support/repeats.js';

const JFK = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';

describe('repeatedPhrases (the realtime seam test)', () => {
  it('finds a phrase a seam said twice', () => {
    expect(repeatedPhrases(JFK, 'And so my fellow Americans, ask not what your country can do for you. Do for you, ask what you can do for your country.')).toEqual(['do for you']);
    expect(repeatedPhrases(JFK, 'And so my fellow Americans. And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.')).toEqual(['and so my fellow americans']);
  });

  it('does not take a misreading for a repeat ("your" read "you" makes "do for you" twice)', () => {
    expect(repeatedPhrases(JFK, 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for you country.')).toEqual([]);
  });

  it('leaves what the reference itself repeats, and short insertions', () => {
    expect(repeatedPhrases(JFK, JFK)).toEqual([]);
    expect(repeatedPhrases('one two three one two three', 'one two three one two three')).toEqual([]);
    expect(repeatedPhrases(JFK, 'And so my fellow Americans, ask not ask not what your country can do for you, ask what you can do for your country.')).toEqual([]);
  });
});
