/**
 * The seam between committed words and a new decode, aligned on the text first, as
 * whisper_streaming's HypothesisBuffer does, because word times drift between decodes (most on a
 * short audio_ctx window, or with audio arriving faster than real time):
 *  1. the committed words still inside the decoded buffer are aligned with the decode's head by
 *     edit distance, so a decode that re-reads them differently ("and so my" → "and so am i")
 *     still lines up; only when the text cannot be aligned do times decide (words starting before
 *     the committed end minus 0.1 s are dropped);
 *  2. a 1–5-word overlap between the committed tail and the new head is removed, which catches a
 *     decode that repeats a phrase it already said;
 *  3. a decode that opens by reciting the end of the earlier turns (its prompt: whisper echoes a
 *     prompt now and then, most on a short window) has that echo removed, 3 words or more;
 *  4. a phrase of 3 words or more that a decode says twice in a row is said once (whisper's
 *     repetition loop: "And so am I fellow Americans. And so am I fellow Americans." on a 2 s turn);
 *  5. where the decode re-reads the last committed word as two ("my" → "am i"), the alignment pairs
 *     the first with it, and the second, still inside the committed word's audio, is dropped by time.
 * Pure functions; times are seconds from the turn's start.
 */
export interface TimedWord {
  word: string;
  start: number;
  end: number;
  /** Mean token probability of the word, when the engine gave one (logprobs). */
  probability?: number;
}

/** Case and punctuation do not make two words different. */
export const normWord = (w: string) => w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');

/** Tolerance on word times, as HypothesisBuffer's. */
const TIME_SLACK = 0.1;
const MAX_OVERLAP = 5;

/**
 * How many of `words` re-read `committed`: the prefix length k whose edit distance to the
 * committed words is smallest (the longest such prefix on a tie, so a re-read is never sent
 * twice), or undefined when even the best prefix differs in most of its words.
 */
export function alignedPrefix(committed: readonly string[], words: readonly string[]): number | undefined {
  const n = committed.length;
  const m = words.length;
  if (n === 0) return 0;
  // prev[j]: edit distance between committed[0..i) and words[0..j).
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const row = new Array<number>(m + 1);
    row[0] = i;
    for (let j = 1; j <= m; j++) {
      const same = committed[i - 1] === words[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j - 1] + same, prev[j] + 1, row[j - 1] + 1);
    }
    prev = row;
  }
  let best = 0;
  for (let j = 1; j <= m; j++) if (prev[j] <= prev[best]) best = j;
  // Accept when at least about half of the committed words are found again.
  return prev[best] <= Math.max(1, Math.floor(n / 2)) && best > 0 ? best : undefined;
}

/** Shortest prompt echo removed: one or two words may well be said again. */
const MIN_ECHO = 3;
/** Longest prompt echo looked for. */
const MAX_ECHO = 40;

/** Length of the longest n-gram (min ≤ n ≤ max) that ends `tail` and starts `head`. */
export function overlap(tail: readonly string[], head: readonly string[], max = MAX_OVERLAP, min = 1): number {
  for (let n = Math.min(max, tail.length, head.length); n >= min; n--) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = tail[tail.length - n + i] === head[i];
    if (same) return n;
  }
  return 0;
}

/** `words` with every phrase of at least 3 words that is repeated right after itself said once. */
export function withoutRepeats<W extends { word: string }>(words: readonly W[]): W[] {
  const out = [...words];
  const text = out.map((w) => normWord(w.word));
  const repeatAt = (i: number): number => {
    for (let n = Math.floor((out.length - i) / 2); n >= MIN_ECHO; n--) {
      let same = true;
      for (let k = 0; k < n && same; k++) same = text[i + k] === text[i + n + k];
      if (same) return n;
    }
    return 0;
  };
  for (let i = 0; i < out.length; i++) {
    // Drop copy after copy: a loop may say it three times.
    for (let n = repeatAt(i); n > 0; n = repeatAt(i)) {
      out.splice(i + n, n);
      text.splice(i + n, n);
    }
  }
  return out;
}

/**
 * The tail after a text alignment. When the decode's word aligned with the last committed one reads
 * differently, the re-reading may have split it ("my" → "am i": "am" aligned, "i" left over); the
 * tail's leading words centred before the committed end are that re-reading's rest, not new speech
 * (the live jfk turn sent "and so my I fellow Americans" without this).
 */
function afterReread(committed: readonly TimedWord[], tail: TimedWord[], aligned: string | undefined, committedEnd: number): TimedWord[] {
  const last = committed.at(-1);
  if (!last || aligned === undefined || aligned === normWord(last.word)) return tail;
  // At most two: one word re-read as three at most; times that drift never cost more than that.
  let i = 0;
  while (i < Math.min(2, tail.length) && (tail[i].start + tail[i].end) / 2 < committedEnd) i++;
  return tail.slice(i);
}

/**
 * The words of a decode that come after `committed` (the committed words inside the decoded
 * buffer); `committedEnd` is the end time of the last committed word of the turn, `history` the
 * committed words before them (for the overlap check after a trim), and `previous` the earlier
 * turns' words, normalized (normWord), whose echo at the decode's head is dropped.
 */
export function wordsAfterSeam(
  committed: readonly TimedWord[],
  decoded: readonly TimedWord[],
  committedEnd: number,
  history: readonly TimedWord[] = [],
  previous: readonly string[] = [],
): TimedWord[] {
  const once = withoutRepeats(decoded);
  const echo = previous.length && history.length === 0 ? overlap(previous, once.map((w) => normWord(w.word)), MAX_ECHO, MIN_ECHO) : 0;
  const words = once.slice(echo);
  const text = words.map((w) => normWord(w.word));
  let tail: TimedWord[];
  const k = committed.length ? alignedPrefix(committed.map((w) => normWord(w.word)), text) : undefined;
  if (k !== undefined) tail = afterReread(committed, words.slice(k), text[k - 1], committedEnd);
  else if (committed.length === 0 && history.length === 0) tail = [...words];
  else tail = words.filter((w) => w.start >= committedEnd - TIME_SLACK);
  const before = [...history, ...committed].map((w) => normWord(w.word)).filter(Boolean);
  const head = tail.map((w) => normWord(w.word));
  // Only when the head sits at the seam in time as well: a phrase said twice on purpose, later on, stays.
  const n = overlap(before, head);
  if (n > 0 && (n >= 2 || tail[0].start < committedEnd + 1)) tail = tail.slice(n);
  return tail;
}
