/**
 * Per-token log probabilities for OpenAI's `include[]=logprobs`, from whisper.cpp's token data.
 * The binding hands token text over as a JS string, so a token that ends inside a multi-byte
 * UTF-8 character arrives with U+FFFD in it. The segment text is exact, so the tokens are
 * aligned to it: clean tokens are taken as they are, and a run of broken ones is merged into
 * one entry that carries the characters they spell together and their joint log probability
 * (the sum). Concatenated, the entries always spell the segment text.
 */
import type { TokenLogprob } from './types.js';

interface RawToken {
  text: string;
  plog: number;
}

const entry = (token: string, logprob: number): TokenLogprob => ({
  token,
  logprob,
  bytes: [...Buffer.from(token, 'utf8')],
});

export function alignLogprobs(segmentText: string, tokens: readonly RawToken[]): TokenLogprob[] {
  const out: TokenLogprob[] = [];
  let at = 0;
  let pending: { logprob: number } | undefined;
  const flushPending = (upTo: number) => {
    if (!pending) return;
    if (upTo > at) out.push(entry(segmentText.slice(at, upTo), pending.logprob));
    at = Math.max(at, upTo);
    pending = undefined;
  };
  for (const t of tokens) {
    const clean = !t.text.includes('\uFFFD');
    if (clean && !pending && segmentText.startsWith(t.text, at)) {
      if (t.text) out.push(entry(t.text, t.plog));
      at += t.text.length;
      continue;
    }
    if (clean && pending) {
      // The broken run ends where this clean token's text is next found.
      const next = t.text ? segmentText.indexOf(t.text, at) : -1;
      if (next >= 0) {
        flushPending(next);
        out.push(entry(t.text, t.plog));
        at += t.text.length;
        continue;
      }
    }
    pending = { logprob: (pending?.logprob ?? 0) + t.plog };
  }
  flushPending(segmentText.length);
  // Whatever text no token accounted for (it never happens with whisper.cpp's own segment
  // text) still goes out, so the entries keep spelling the text; it is attached to the last entry.
  if (at < segmentText.length) {
    const last = out.pop();
    out.push(entry((last?.token ?? '') + segmentText.slice(at), last?.logprob ?? 0));
  }
  return out;
}
