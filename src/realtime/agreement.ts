/**
 * LocalAgreement-2 (Macháček et al., "Turning Whisper into Real-Time Transcription System",
 * 2023) over word timestamps: a word is committed once two consecutive decodes of the growing
 * buffer agree on it and on everything before it. Committed words never change, so the deltas
 * sent for them are append-only. All times are seconds from the turn's start.
 */
import type { Word } from '../engine/types.js';

export interface TimedWord {
  word: string;
  start: number;
  end: number;
}

const norm = (w: string) => w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');

export class LocalAgreement {
  readonly committed: TimedWord[] = [];
  private previous: TimedWord[] = [];

  /** End of the last committed word (where the uncommitted audio begins). */
  get committedEnd(): number {
    return this.committed.at(-1)?.end ?? 0;
  }

  get committedText(): string {
    return this.committed.map((w) => w.word).join(' ');
  }

  /** Index of the first committed word inside the current (possibly trimmed) buffer. */
  private windowStart = 0;

  /** The buffer was trimmed at committedEnd: later decodes start after every committed word. */
  markTrim(): void {
    this.windowStart = this.committed.length;
  }

  /**
   * The part of a decode that lies past the committed words. A decode covers the whole buffer,
   * so it normally repeats the committed words first: they are matched by text (whisper.cpp's
   * word times drift between decodes by a few hundred ms). When the decode changed its mind
   * about them, the seam is found by the last committed words near the committed end, and
   * failing that by time (words centred after the committed end).
   */
  uncommittedTail(words: readonly TimedWord[]): TimedWord[] {
    const base = this.committed.slice(this.windowStart);
    let tail: readonly TimedWord[];
    if (base.length === 0) tail = words;
    else if (words.length >= base.length && base.every((w, i) => norm(w.word) === norm(words[i].word))) tail = words.slice(base.length);
    else tail = this.anchoredTail(base, words) ?? words.filter((w) => (w.start + w.end) / 2 > this.committedEnd);
    // A lone punctuation mark after a word that already ends in punctuation is a repeat.
    const out: TimedWord[] = [];
    let last = this.committed.at(-1)?.word ?? '';
    for (const w of tail) {
      if (norm(w.word) === '' && /\p{P}$/u.test(last)) continue;
      out.push(w);
      last = w.word;
    }
    return out;
  }

  private anchoredTail(base: TimedWord[], words: readonly TimedWord[]): TimedWord[] | undefined {
    const end = this.committedEnd;
    for (const m of [3, 2, 1]) {
      if (base.length < m) continue;
      const anchor = base.slice(-m).map((w) => norm(w.word)).join(' ');
      let best: number | undefined;
      for (let k = m; k <= words.length; k++) {
        if (words.slice(k - m, k).map((w) => norm(w.word)).join(' ') !== anchor) continue;
        const off = Math.abs(words[k - 1].end - end);
        if (off < 1.5 && (best === undefined || off < Math.abs(words[best - 1].end - end))) best = k;
      }
      if (best !== undefined) return words.slice(best);
    }
    return undefined;
  }

  /** Feeds one decode's words; returns the words newly committed by it (possibly none). */
  insert(words: readonly TimedWord[]): TimedWord[] {
    const tail = this.uncommittedTail(words);
    const agreed: TimedWord[] = [];
    while (agreed.length < tail.length && agreed.length < this.previous.length && norm(tail[agreed.length].word) === norm(this.previous[agreed.length].word)) {
      agreed.push(tail[agreed.length]);
    }
    this.committed.push(...agreed);
    this.previous = tail.slice(agreed.length);
    return agreed;
  }

  /** Commits a final decode's tail wholesale (turn end, or a forced trim). */
  flush(words: readonly TimedWord[]): TimedWord[] {
    const tail = this.uncommittedTail(words);
    this.committed.push(...tail);
    this.previous = [];
    return tail;
  }
}

export const toTimed = (words: readonly Word[] | undefined, offset = 0): TimedWord[] =>
  (words ?? []).map((w) => ({ word: w.word, start: w.start + offset, end: w.end + offset }));
