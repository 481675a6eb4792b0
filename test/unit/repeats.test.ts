import { describe, expect, it } from 'vitest';
import { lostPhrases, repeatedPhrases } from '../support/repeats.js';

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

describe('lostPhrases (the realtime long-turn test)', () => {
  const DASHWOOD = 'Had he married a more amiable woman he might have been made still more respectable than he was.';

  it('finds a phrase the hypothesis dropped', () => {
    expect(lostPhrases(JFK, 'And so my fellow Americans, ask what you can do for your country.')).toEqual(['ask not what your country can do for you']);
    expect(lostPhrases(DASHWOOD, 'Had he married a more amiable woman than he was.')).toEqual(['he might have been made still more respectable']);
  });

  it('does not take misreadings for a lost phrase', () => {
    // The CI run's reading of the 80 s turn: six words misread, two of them deleted.
    expect(lostPhrases(DASHWOOD, 'How do you marry woman he might have been made still more respectable than he was.')).toEqual([]);
    expect(lostPhrases(JFK, 'And so am I fellow Americans asked not what your country can do for you, ask what you can do for your country.')).toEqual([]);
    expect(lostPhrases(JFK, JFK)).toEqual([]);
  });
});
