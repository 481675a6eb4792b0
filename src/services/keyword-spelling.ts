/**
 * keywords[], second half: the prompt makes whisper hear a keyword, but how it writes it still
 * varies between runs (tiny.en on fw_hotwords.mp3, prompt "ComfyUI.": "ComfyUI" 4 times in 5,
 * "comfy UI" once). So a word that matches a keyword letter for letter, up to case and (for
 * keywords of 4 letters or more) single spaces between letters, is written as the keyword.
 * Nothing else is touched. The segment texts, their logprobs tokens (which must still spell
 * them), the words, the speaker segments and the text are rewritten alike.
 */
import type { Segment, SpeakerSegment, TokenLogprob, Transcript } from '../engine/types.js';

const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function keywordPattern(keywords: readonly string[]): RegExp | undefined {
  const alternatives = [...new Set(keywords.map((k) => k.trim()).filter(Boolean))]
    .sort((a, b) => b.length - a.length)
    .map((k) => {
      const chars = [...k.replace(/\s+/g, ' ')].map((c) => (c === ' ' ? '\\s+' : escape(c)));
      return chars.join(k.length >= 4 ? ' ?' : '');
    });
  if (!alternatives.length) return undefined;
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

function canonical(keywords: readonly string[], found: string): string {
  const key = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  return keywords.find((k) => key(k) === key(found))?.trim() ?? found;
}

/** Rewrites matches in `text`, and the tokens that spell it so they still do. */
export function respell(text: string, tokens: readonly TokenLogprob[], pattern: RegExp, keywords: readonly string[]) {
  const matches = [...text.matchAll(pattern)].map((m) => ({ start: m.index, end: m.index + m[0].length, to: canonical(keywords, m[0]) }));
  if (!matches.length) return { text, tokens: [...tokens] };
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start) + m.to;
    at = m.end;
  }
  out += text.slice(at);

  const rebuilt: TokenLogprob[] = [];
  let pos = 0;
  for (const t of tokens) {
    const [from, to] = [pos, pos + t.token.length];
    pos = to;
    let piece = '';
    for (let i = from; i < to; ) {
      const m = matches.find((x) => i >= x.start && i < x.end);
      if (!m) {
        piece += text[i++];
        continue;
      }
      // A match is written out by the token where it starts; the later ones only skip it.
      if (i === m.start) piece += m.to;
      i = m.end;
    }
    const last = rebuilt.at(-1);
    if (piece === '' && last) last.logprob += t.logprob; // swallowed: its probability joins the previous token
    else rebuilt.push({ token: piece, logprob: t.logprob, bytes: [...Buffer.from(piece, 'utf8')] });
  }
  return { text: out, tokens: rebuilt };
}

function spellSegment(s: Segment, pattern: RegExp, keywords: readonly string[]): Segment {
  if (!s.logprobs) return { ...s, text: s.text.replace(pattern, (m) => canonical(keywords, m)) };
  const r = respell(s.text, s.logprobs, pattern, keywords);
  return { ...s, text: r.text, logprobs: r.tokens };
}

/** The same rewrite for one streamed segment (so the deltas add up to the final text). */
export function segmentSpeller(keywords: readonly string[] | undefined): ((s: Segment) => Segment) | undefined {
  const pattern = keywords?.length ? keywordPattern(keywords) : undefined;
  return pattern && keywords ? (s) => spellSegment(s, pattern, keywords) : undefined;
}

export function spellKeywords(t: Transcript, keywords: readonly string[] | undefined): Transcript {
  const pattern = keywords?.length ? keywordPattern(keywords) : undefined;
  if (!pattern || !keywords) return t;
  const fix = (s: string) => s.replace(pattern, (m) => canonical(keywords, m));
  const segments = t.segments.map((s) => spellSegment(s, pattern, keywords));
  return {
    ...t,
    text: fix(t.text),
    segments,
    ...(t.words ? { words: t.words.map((w) => ({ ...w, word: fix(w.word) })) } : {}),
    ...(t.speakers ? { speakers: t.speakers.map((s): SpeakerSegment => ({ ...s, text: fix(s.text) })) } : {}),
  };
}
