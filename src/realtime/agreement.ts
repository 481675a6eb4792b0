/**
 * When a word of a growing turn is final. LocalAgreement-2 (Macháček et al., "Turning Whisper
 * into Real-Time Transcription System", 2023): a word is committed once two consecutive decodes
 * agree on it and on everything before it. With a `margin` (the `delay` settings below medium),
 * one decode also commits the words that end at least `margin` seconds before the end of the
 * audio it saw: Whisper rarely changes its mind about words that far from the edge, and the
 * first words come one decode sooner. With a `minProbability` (by default; the `medium`, `high` and
 * `xhigh` delays), an agreed word the newer decode is unsure of waits, and so does
 * everything after it, until a decode is sure of it or the turn ends: two decodes a fraction of a
 * second apart make the same guess at a word whose right context is not yet heard ("asked not" for
 * jfk's "ask not"). Committed words never change, so the deltas sent for them
 * are append-only. All times are seconds from the turn's start.
 */
import type { Word } from '../engine/types.js';
import { normWord, wordsAfterSeam, type TimedWord } from './seam.js';

export type { TimedWord } from './seam.js';

export interface AgreementRule {
  /** Seconds before the decoded audio's end past which one decode suffices; undefined: two decodes must agree. */
  margin?: number;
  /**
   * Seconds at the newer decode's edge where agreed words still wait for one more decode: a word cut
   * by the edge ("my fel…") reads the same wrong way in two decodes a fraction of a second apart.
   */
  holdback?: number;
  /**
   * Whisper's probability for a word (the mean of its tokens') below which an agreed word
   * waits. Measured by replaying the same partial decodes under each rule (BENCHMARKS.md, "Realtime:
   * a confidence gate"): 0.5 removed nearly every error streaming added; on noisy audio it holds
   * words back, up to the turn's end.
   */
  minProbability?: number;
}

export class LocalAgreement {
  readonly committed: TimedWord[] = [];
  private previous: TimedWord[] = [];
  /** Index of the first committed word inside the current (possibly trimmed) buffer. */
  private windowStart = 0;

  /**
   * @param earlierTurns the earlier turns' text (their words are not repeated at this turn's head)
   */
  constructor(
    private readonly rule: AgreementRule = {},
    private readonly earlierTurns: () => string = () => '',
  ) {}

  /** End of the last committed word (where the uncommitted audio begins). */
  get committedEnd(): number {
    return this.committed.at(-1)?.end ?? 0;
  }

  get committedText(): string {
    return this.committed.map((w) => w.word).join(' ');
  }

  /**
   * Where to trim: the end of the last committed word that ends in (after, latest], preferring one that
   * ends a sentence; `keep` is then the index of the first committed word left in the buffer.
   */
  trimPoint(after: number, latest: number): { at: number; keep: number } | undefined {
    let found: { at: number; keep: number } | undefined;
    for (let i = this.committed.length - 1; i >= this.windowStart; i--) {
      const w = this.committed[i];
      if (w.end > latest) continue;
      if (w.end <= after) break;
      found ??= { at: w.end, keep: i + 1 };
      if (/[.?!]["')\]]*$/u.test(w.word)) return { at: w.end, keep: i + 1 };
    }
    return found;
  }

  /** The buffer was trimmed before committed word `keep` (default: after every committed word). */
  markTrim(keep = this.committed.length): void {
    this.windowStart = keep;
  }

  /** The part of a decode past the committed words (see seam.ts), repeated punctuation dropped. */
  uncommittedTail(words: readonly TimedWord[]): TimedWord[] {
    const previous = this.earlierTurns().split(/\s+/).map(normWord).filter(Boolean);
    const tail = wordsAfterSeam(this.committed.slice(this.windowStart), words, this.committedEnd, this.committed.slice(0, this.windowStart), previous);
    // A lone punctuation mark after a word that already ends in punctuation is a repeat.
    const out: TimedWord[] = [];
    let last = this.committed.at(-1)?.word ?? '';
    for (const w of tail) {
      if (normWord(w.word) === '' && /\p{P}$/u.test(last)) continue;
      out.push(w);
      last = w.word;
    }
    return out;
  }

  /**
   * Feeds one partial decode of audio ending at `audioEnd` seconds; returns the words newly
   * committed by it (possibly none).
   */
  insert(words: readonly TimedWord[], audioEnd = Infinity): TimedWord[] {
    const tail = this.uncommittedTail(words);
    let agreed = 0;
    while (agreed < tail.length && agreed < this.previous.length && normWord(tail[agreed].word) === normWord(this.previous[agreed].word)) agreed++;
    const holdback = this.rule.holdback ?? 0;
    while (agreed > 0 && tail[agreed - 1].end > audioEnd - holdback) agreed--;
    if (this.rule.margin !== undefined) {
      // The last word is never stable on its own: the next one may still join it.
      while (agreed < tail.length - 1 && tail[agreed].end <= audioEnd - this.rule.margin) agreed++;
    }
    const minProbability = this.rule.minProbability ?? 0;
    const unsure = tail.findIndex((w, i) => i < agreed && (w.probability ?? 1) < minProbability);
    if (unsure >= 0) agreed = unsure;
    const fresh = tail.slice(0, agreed);
    this.committed.push(...fresh);
    this.previous = tail.slice(agreed);
    return fresh;
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
  (words ?? []).map((w) => ({ word: w.word, start: w.start + offset, end: w.end + offset, probability: w.probability }));
