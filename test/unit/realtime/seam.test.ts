import { describe, expect, it } from 'vitest';
import { LocalAgreement } from '../../../src/realtime/agreement.js';
import { alignedPrefix, overlap, withoutRepeats, wordsAfterSeam, type TimedWord } from '../../../src/realtime/seam.js';

const ws = (text: string, start = 0, step = 0.5): TimedWord[] =>
  text.split(' ').map((word, i) => ({ word, start: start + i * step, end: start + (i + 1) * step }));
const words = (t: TimedWord[]) => t.map((w) => w.word).join(' ');

describe('the seam aligns on text', () => {
  it('finds the re-read of the committed words by edit distance, the longest prefix on a tie', () => {
    expect(alignedPrefix(['and', 'so', 'my', 'fellow'], ['and', 'so', 'am', 'i', 'fellow', 'americans'])).toBe(5);
    expect(alignedPrefix(['a', 'b', 'x'], ['a', 'b', 'c', 'd'])).toBe(3);
    expect(alignedPrefix(['one', 'two', 'three', 'four'], ['five', 'six', 'seven', 'eight'])).toBeUndefined();
  });

  it('removes a 1–5-word overlap of committed tail and new head', () => {
    expect(overlap(['ask', 'not', 'what'], ['not', 'what', 'your'])).toBe(2);
    expect(overlap(['a', 'b', 'c', 'd', 'e', 'f'], ['b', 'c', 'd', 'e', 'f', 'g'])).toBe(5);
    expect(overlap(['a'], ['b'])).toBe(0);
  });

  it('times that drift by seconds do not repeat a phrase (short window, fast audio)', () => {
    const committed = ws('and so my fellow americans', 0, 0.5); // ends 2.5 s
    // The whole-buffer decode puts every word 1.8 s later than before: a time-only seam resends them all.
    const decode = ws('And so my fellow Americans, ask not what your country', 1.8, 0.5);
    expect(words(wordsAfterSeam(committed, decode, 2.5))).toBe('ask not what your country');
  });

  it('a decode that says the committed phrase twice is cut after it', () => {
    const committed = ws('and so my fellow americans');
    const decode = ws('and so my fellow americans and so my fellow americans ask not');
    expect(words(wordsAfterSeam(committed, decode, 2.5))).toBe('ask not');
  });

  it('when the text cannot be aligned, words starting before the committed end − 0.1 s are dropped', () => {
    const committed = ws('alpha beta gamma delta'); // ends 2.0 s
    const decode = ws('one two three four five six', 0, 0.5); // a different reading: starts 0, 0.5, ... 2.5
    expect(words(wordsAfterSeam(committed, decode, 2))).toBe('five six');
  });

  it('a committed word re-read as two ("my" → "am i") sends neither half again', () => {
    const committed = [...ws('and so', 0, 0.3), { word: 'my', start: 0.6, end: 0.9 }]; // ends 0.9 s
    const decode = [...ws('and so', 0, 0.3), { word: 'am', start: 0.6, end: 0.78 }, { word: 'I', start: 0.78, end: 0.88 }, ...ws('fellow Americans', 0.95, 0.4)];
    expect(words(wordsAfterSeam(committed, decode, 0.9))).toBe('fellow Americans');
    // A re-read that differs but is followed by new speech keeps the new words.
    const next = [...ws('and so', 0, 0.3), { word: 'mine', start: 0.6, end: 0.9 }, ...ws('fellow Americans', 0.95, 0.4)];
    expect(words(wordsAfterSeam(committed, next, 0.9))).toBe('fellow Americans');
    // The same re-read of the last word: time never decides, as before (drifted times keep their words).
    expect(words(wordsAfterSeam(committed, [...ws('and so', 1, 0.3), ...ws('my fellow', 1.6, 0.3)], 0.9))).toBe('fellow');
  });

  it('after a trim, the words before the window still stop a repeated head', () => {
    const history = ws('ask not what your country');
    expect(words(wordsAfterSeam([], ws('your country can do', 2.5), 2.5, history))).toBe('can do');
  });
});

describe("whisper's repetition loop", () => {
  it('a phrase of 3+ words said twice (or more) in a row is said once; shorter repeats stay', () => {
    expect(words(withoutRepeats(ws('And so am I fellow Americans. And so am I fellow Americans. Ask not')))).toBe('And so am I fellow Americans. Ask not');
    expect(words(withoutRepeats(ws('go on and on go on and on go on and on now')))).toBe('go on and on now');
    expect(words(withoutRepeats(ws('no no no I said that that')))).toBe('no no no I said that that');
  });

  it('the first decode of a turn that loops sends the phrase once', () => {
    expect(words(new LocalAgreement().flush(ws('And so am I fellow Americans. And so am I fellow Americans.')))).toBe('And so am I fellow Americans.');
  });
});

describe('a decode that recites its prompt (the earlier turns)', () => {
  const previous = 'and so am i fellow americans'.split(' ');

  it('loses the echo, 3 words or more, at the head of a turn', () => {
    const decode = ws('And so am I fellow Americans. Ask not what your country');
    expect(words(wordsAfterSeam([], decode, 0, [], previous))).toBe('Ask not what your country');
  });

  it('keeps one or two words said again, and anything that is not the end of the earlier turns', () => {
    expect(words(wordsAfterSeam([], ws('fellow Americans ask'), 0, [], previous))).toBe('fellow Americans ask');
    expect(words(wordsAfterSeam([], ws('Americans ask not'), 0, [], previous))).toBe('Americans ask not');
    expect(words(wordsAfterSeam([], ws('and so am I here'), 0, [], previous))).toBe('and so am I here');
  });

  it('LocalAgreement reads the earlier turns as they are when it decides', () => {
    let earlier = '';
    const a = new LocalAgreement({}, () => earlier);
    earlier = 'ask not what your country can do for you';
    expect(words(a.flush(ws('can do for you ask what you can do')))).toBe('ask what you can do');
  });
});

describe('LocalAgreement with a margin (delay below medium)', () => {
  it('commits words of one decode that end well before the edge, never the last one', () => {
    const a = new LocalAgreement({ margin: 0.6 });
    // audio ends at 2.5 s: words ending by 1.9 s are stable
    expect(words(a.insert(ws('one two three four five'), 2.5))).toBe('one two three');
    expect(words(a.insert(ws('one two three four five six'), 3.0))).toBe('four five');
  });

  it('without a margin, one decode commits nothing', () => {
    expect(new LocalAgreement().insert(ws('one two three four five'), 2.5)).toEqual([]);
  });
});
