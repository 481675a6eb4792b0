import { normalize } from './wer.js';

/** d[i][j]: the word edit distance between r[0..i) and h[0..j). */
function editDistances(r: string[], h: string[]): number[][] {
  const d = Array.from({ length: r.length + 1 }, (_, i) => Array.from({ length: h.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= r.length; i++) {
    for (let j = 1; j <= h.length; j++) d[i][j] = Math.min(d[i - 1][j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1), d[i - 1][j] + 1, d[i][j - 1] + 1);
  }
  return d;
}

/** [start, end) of every run of `n` or more marked words. */
function markedRuns(marked: boolean[], n: number): [number, number][] {
  const runs: [number, number][] = [];
  for (let j = 0; j < marked.length; ) {
    let k = j;
    while (k < marked.length && marked[k]) k++;
    if (k - j >= n) runs.push([j, k]);
    j = Math.max(k, j + 1);
  }
  return runs;
}

/**
 * Phrases a seam said twice: runs of `n` or more words that the hypothesis inserts (aligned with
 * the reference by edit distance) and that it also says elsewhere. Counting n-grams alone took a
 * misreading for a repeat: jfk read "… can do for you, ask what you can do for you country" under
 * load ("your" → "you") has "do for you" twice, but no word too many; a seam that repeats itself
 * ("… do for you do for you, ask …") inserts the phrase.
 */
export function repeatedPhrases(ref: string, hyp: string, n = 3): string[] {
  const r = normalize(ref);
  const h = normalize(hyp);
  const d = editDistances(r, h);
  // Walk back, marking the hypothesis words the alignment inserts (a tie goes to a match, then an insertion).
  const inserted = new Array<boolean>(h.length).fill(false);
  for (let i = r.length, j = h.length; j > 0; ) {
    if (i > 0 && d[i][j] === d[i - 1][j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1)) (i--, j--);
    else if (j > 0 && d[i][j] === d[i][j - 1] + 1) inserted[--j] = true;
    else i--;
  }
  return markedRuns(inserted, n)
    .filter(([j, k]) => [...h.slice(0, j), '|', ...h.slice(k)].join(' ').includes(h.slice(j, j + n).join(' ')))
    .map(([j, k]) => h.slice(j, k).join(' '));
}

/**
 * Phrases the hypothesis dropped: runs of `n` or more reference words that the alignment (edit
 * distance) deletes outright, with no hypothesis word in their place. A misreading substitutes
 * words ("had he married a more amiable woman" → "how do you marry woman" deletes two); a seam or
 * trim that skips audio drops a whole phrase.
 */
export function lostPhrases(ref: string, hyp: string, n = 4): string[] {
  const r = normalize(ref);
  const h = normalize(hyp);
  const d = editDistances(r, h);
  // Walk back, marking the reference words the alignment deletes (a tie goes to a match, then a deletion).
  const deleted = new Array<boolean>(r.length).fill(false);
  for (let i = r.length, j = h.length; i > 0; ) {
    if (j > 0 && d[i][j] === d[i - 1][j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1)) (i--, j--);
    else if (d[i][j] === d[i - 1][j] + 1) deleted[--i] = true;
    else j--;
  }
  return markedRuns(deleted, n).map(([i, k]) => r.slice(i, k).join(' '));
}
