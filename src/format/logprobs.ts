/**
 * OpenAI's `logprobs: [{token, logprob, bytes}]`. The texts the API returns are trimmed (the
 * first whisper segment starts with a space), so the token lists are trimmed the same way:
 * the tokens of every answer spell exactly the text beside them.
 */
import type { Segment, TokenLogprob } from '../engine/types.js';

export interface Logprob {
  token: string;
  logprob: number;
  bytes: number[];
}

const withToken = (l: TokenLogprob, token: string): Logprob => ({
  token,
  logprob: l.logprob,
  bytes: [...Buffer.from(token, 'utf8')],
});

/** Drops leading (and, with `end`, trailing) whitespace from a token list; emptied tokens go. */
export function trimLogprobs(list: readonly TokenLogprob[], opts: { start?: boolean; end?: boolean } = {}): Logprob[] {
  const out = list.map((l) => ({ token: l.token, logprob: l.logprob, bytes: l.bytes }));
  if (opts.start) {
    while (out.length && !out[0].token.trimStart()) out.shift();
    if (out.length) out[0] = withToken(out[0], out[0].token.trimStart());
  }
  if (opts.end) {
    while (out.length && !out[out.length - 1].token.trimEnd()) out.pop();
    const last = out.length - 1;
    if (last >= 0) out[last] = withToken(out[last], out[last].token.trimEnd());
  }
  return out;
}

/** The whole transcript's tokens, spelling its trimmed `text`. */
export function transcriptLogprobs(segments: readonly Segment[]): Logprob[] {
  return trimLogprobs(segments.flatMap((s) => s.logprobs ?? []), { start: true, end: true });
}

/** One streamed segment's tokens, spelling its delta (the first delta is trimmed at the start). */
export function segmentLogprobs(segment: Segment, first: boolean): Logprob[] {
  return trimLogprobs(segment.logprobs ?? [], { start: first });
}
