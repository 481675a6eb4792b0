/**
 * `include: ["item.input_audio_transcription.logprobs"]`: `logprobs` on every delta and on
 * `completed`, as OpenAI's `[{token, logprob, bytes}]`. Whisper's text tokens are grouped into
 * words by the engine (a word's probability is the mean of its tokens' `p`); one entry is given
 * per word, its `token` the exact text the delta appended for it, so the tokens of a turn
 * concatenate to its transcript, and its `logprob` the log of that probability.
 */
export interface Logprob {
  token: string;
  logprob: number;
  bytes: number[];
}

export const INCLUDE_LOGPROBS = 'item.input_audio_transcription.logprobs';

export function logprobOf(piece: string, probability: number | undefined): Logprob {
  const p = Math.min(1, Math.max(probability ?? 1, 1e-10));
  return { token: piece, logprob: Math.round(Math.log(p) * 1e6) / 1e6, bytes: [...Buffer.from(piece, 'utf8')] };
}
