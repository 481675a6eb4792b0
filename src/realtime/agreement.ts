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

  /**
   * The part of a decode that lies past the committed words: words that start before the last
   * committed end (minus a little slack) are dropped, and a repeat of the committed tail at the
   * seam (up to 5 words) is removed, as whisper_streaming's hypothesis buffer does.
   */
  uncommittedTail(words: readonly TimedWord[]): TimedWord[] {
    const cut = this.committedEnd - 0.1;
    let tail = words.filter((w) => w.start > cut);
    if (this.committed.length > 0 && tail.length > 0 && Math.abs(tail[0].start - this.committedEnd) < 1) {
      for (let n = Math.min(5, this.committed.length, tail.length); n >= 1; n--) {
        const a = this.committed.slice(-n).map((w) => norm(w.word)).join(' ');
        const b = tail.slice(0, n).map((w) => norm(w.word)).join(' ');
        if (a === b) {
          tail = tail.slice(n);
          break;
        }
      }
    }
    return tail;
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
