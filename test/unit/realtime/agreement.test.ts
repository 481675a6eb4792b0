import { describe, expect, it } from 'vitest';
import { LocalAgreement, type TimedWord } from '../../../src/realtime/agreement.js';

const ws = (text: string, start = 0, step = 0.5): TimedWord[] =>
  text.split(' ').map((word, i) => ({ word, start: start + i * step, end: start + (i + 1) * step }));

describe('LocalAgreement-2', () => {
  it('commits only what two consecutive decodes agree on, as a prefix', () => {
    const a = new LocalAgreement();
    expect(a.insert(ws('and so my'))).toEqual([]);
    expect(a.insert(ws('and so my fellow')).map((w) => w.word)).toEqual(['and', 'so', 'my']);
    expect(a.insert(ws('and so my fellow americans')).map((w) => w.word)).toEqual(['fellow']);
    expect(a.insert(ws('and so my fellow american ask')).map((w) => w.word)).toEqual([]); // disagreement stops the prefix
    expect(a.committedText).toBe('and so my fellow');
  });

  it('matches committed words by text when word times drift between decodes', () => {
    const a = new LocalAgreement();
    a.insert(ws('and so my fellow', 0, 0.6));
    a.insert(ws('and so my fellow Americans', 0, 0.6)); // commits 'and so my fellow' (ends 2.4 s)
    // The next decode puts every word 0.3 s earlier: 'Americans' starts before the committed end.
    const tail = a.flush(ws('And so my fellow Americans, ask', 0, 0.525));
    expect(tail.map((w) => w.word)).toEqual(['Americans,', 'ask']);
  });

  it('when a decode rewrites committed words, anchors on the last committed ones', () => {
    const a = new LocalAgreement();
    a.insert(ws('and so my fellow'));
    a.insert(ws('and so my fellow americans'));
    const tail = a.flush(ws('and then so my fellow americans ask'));
    expect(tail.map((w) => w.word)).toEqual(['americans', 'ask']);
  });

  it('drops a lone punctuation mark repeating the end of a committed sentence', () => {
    const a = new LocalAgreement();
    a.insert(ws('for your country.'));
    a.insert(ws('for your country. .'));
    expect(a.flush(ws('for your country. .')).map((w) => w.word)).toEqual([]);
  });

  it('trims at the last committed word before the bound, a sentence end where there is one', () => {
    const a = new LocalAgreement();
    // ws() gives word i the times [0.5 i, 0.5 (i + 1)]: "one. two three. four five" end at 0.5, 1.0, ... 2.5.
    a.flush(ws('one. two three. four five'));
    expect(a.trimPoint(0, 4.6)).toEqual({ at: 1.5, keep: 3 }); // "three." ends a sentence
    expect(a.trimPoint(1.5, 4.6)).toEqual({ at: 2.5, keep: 5 }); // none after 1.5: the last word
    expect(a.trimPoint(0, 1.2)).toEqual({ at: 0.5, keep: 1 }); // "three." ends after the bound
    expect(a.trimPoint(0, 0.4)).toBeUndefined();
    a.markTrim(3);
    expect(a.trimPoint(0, 10)).toEqual({ at: 2.5, keep: 5 }); // only words still in the buffer
  });

  it('after a trim, a decode of the rest starts past every committed word', () => {
    const a = new LocalAgreement();
    a.insert(ws('one two three'));
    a.insert(ws('one two three four'));
    a.markTrim();
    expect(a.flush(ws('four five', 1.5)).map((w) => w.word)).toEqual(['four', 'five']);
  });
});

describe('LocalAgreement-2 with an edge holdback', () => {
  it('keeps agreed words that end near the newer decode\'s edge for the next decode', () => {
    const a = new LocalAgreement({ holdback: 0.5 });
    // ws(): "and so am i" end at 0.5, 1.0, 1.5, 2.0; the decodes saw 2.0 s and 2.2 s of audio.
    expect(a.insert(ws('and so am i'), 2.0)).toEqual([]);
    expect(a.insert(ws('and so am i'), 2.2).map((w) => w.word)).toEqual(['and', 'so', 'am']); // "i" ends 0.2 s before the edge
    // The next decode hears more and reads the held word otherwise: nothing wrong was sent for it.
    expect(a.insert(ws('and so am my fellow'), 2.7)).toEqual([]);
    expect(a.insert(ws('and so am my fellow'), 2.9).map((w) => w.word)).toEqual(['my']); // "fellow" ends 0.4 s before the edge
  });

  it('without a holdback, the same decodes commit every agreed word', () => {
    const a = new LocalAgreement();
    a.insert(ws('and so am i'), 2.0);
    expect(a.insert(ws('and so am i'), 2.2).map((w) => w.word)).toEqual(['and', 'so', 'am', 'i']);
  });

  it('a flush (the turn\'s end) commits the held words', () => {
    const a = new LocalAgreement({ holdback: 0.5 });
    a.insert(ws('and so my'), 1.5);
    a.insert(ws('and so my'), 1.6);
    expect(a.flush(ws('and so my')).map((w) => w.word)).toEqual(['my']);
    expect(a.committedText).toBe('and so my');
  });
});

describe('LocalAgreement-2 with a confidence gate', () => {
  const sure = (text: string, unsure: Record<string, number> = {}): TimedWord[] => ws(text).map((w) => ({ ...w, probability: unsure[w.word] ?? 0.9 }));

  it('an agreed word the newer decode is unsure of waits, with every word after it', () => {
    const a = new LocalAgreement({ minProbability: 0.5 });
    a.insert(sure('and so my fellow americans asked not', { asked: 0.4 }));
    // jfk's "ask not", read "asked" by two decodes that have not yet heard what follows.
    expect(a.insert(sure('and so my fellow americans asked not what', { asked: 0.3 })).map((w) => w.word)).toEqual(['and', 'so', 'my', 'fellow', 'americans']);
    // The next decodes hear more and read it otherwise: nothing wrong was sent.
    expect(a.insert(sure('ask not what your', {}).map((w) => ({ ...w, start: w.start + 2.5, end: w.end + 2.5 })))).toEqual([]);
    expect(a.insert(sure('ask not what your country', {}).map((w) => ({ ...w, start: w.start + 2.5, end: w.end + 2.5 }))).map((w) => w.word)).toEqual(['ask', 'not', 'what', 'your']);
  });

  it('without the gate, the same decodes send the guess', () => {
    const a = new LocalAgreement();
    a.insert(sure('and so my fellow americans asked not', { asked: 0.4 }));
    expect(a.insert(sure('and so my fellow americans asked not what', { asked: 0.3 })).map((w) => w.word)).toContain('asked');
  });

  it('a flush (the turn\'s end) commits the words the gate held', () => {
    const a = new LocalAgreement({ minProbability: 0.5 });
    a.insert(sure('and so my', { so: 0.2 }));
    expect(a.insert(sure('and so my', { so: 0.2 })).map((w) => w.word)).toEqual(['and']);
    expect(a.flush(sure('and so my', { so: 0.2 })).map((w) => w.word)).toEqual(['so', 'my']);
    expect(a.committedText).toBe('and so my');
  });
});

describe('LocalAgreement-2: punctuation', () => {
  it('drops a repeated mark inside one tail as well', () => {
    const a = new LocalAgreement();
    expect(a.flush(ws('your country. .')).map((w) => w.word)).toEqual(['your', 'country.']);
  });
});
