/**
 * Word error rate after normalising case, punctuation, common abbreviations and numbers,
 * so "In 1813" and "In eighteen thirteen" compare equal.
 */
const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ABBREVIATIONS: Record<string, string> = { mr: 'mister', mrs: 'missus', dr: 'doctor', st: 'saint' };

function under100(n: number): string {
  return n < 20 ? ONES[n] : TENS[Math.floor(n / 10)] + (n % 10 ? ` ${ONES[n % 10]}` : '');
}

function under1000(n: number): string {
  const rest = n % 100;
  if (n < 100) return under100(n);
  return `${ONES[Math.floor(n / 100)]} hundred${rest ? ` ${under100(rest)}` : ''}`;
}

/** Spells an integer; four-digit numbers that look like years are read as years. */
export function spellNumber(n: number): string {
  if (n >= 1100 && n <= 1999 && n % 100 !== 0) return `${under100(Math.floor(n / 100))} ${under100(n % 100)}`;
  if (n >= 1000 && n < 1_000_000) {
    const rest = n % 1000;
    return `${under1000(Math.floor(n / 1000))} thousand${rest ? ` ${under1000(rest)}` : ''}`;
  }
  return n < 1000 ? under1000(n) : String(n);
}

export function normalize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/(\d),(\d)/g, '$1$2')
    .replace(/[^\p{L}\p{N}'\s]/gu, ' ')
    .replace(/'/g, '')
    .replace(/\d+/g, (d) => ` ${spellNumber(Number(d))} `)
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => ABBREVIATIONS[w] ?? w);
}

/** Levenshtein distance over words. */
export function wordErrors(reference: string[], hypothesis: string[]): number {
  let prev = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      const sub = prev[j - 1] + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, prev[j] + 1, cur[j - 1] + 1));
    }
    prev = cur;
  }
  return prev[hypothesis.length];
}

export function wer(reference: string, hypothesis: string): number {
  const ref = normalize(reference);
  return ref.length ? wordErrors(ref, normalize(hypothesis)) / ref.length : 0;
}
