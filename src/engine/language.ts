/**
 * OpenAI's languages[]: restrict spoken-language identification to the codes a client allows.
 * whisper.cpp gives a probability for every language; the most likely allowed one wins.
 */
import { errors } from '../errors.js';

/** The allowed code with the highest probability (probs indexed like codes). */
export function pickLanguage(codes: readonly string[], probs: ArrayLike<number>, allowed: readonly string[]): string {
  let best: string | undefined;
  let bestP = -1;
  for (const code of allowed) {
    const i = codes.indexOf(code);
    if (i < 0) throw errors.invalidRequest(`Unknown language '${code}' in languages[].`, 'languages', 'unsupported_language');
    if (probs[i] > bestP) {
      best = code;
      bestP = probs[i];
    }
  }
  if (best === undefined) throw errors.invalidRequest('languages[] is empty.', 'languages');
  return best;
}

/** The language to decode in: a fixed one as asked, else a detection that needs probabilities (or none: whisper's own). */
export async function resolveLanguage(
  p: { language?: string; languages?: string[] },
  multilingual: boolean,
  detect: () => Promise<{ codes: readonly string[]; probs: ArrayLike<number> }>,
): Promise<string | undefined> {
  if (!multilingual || p.language || !p.languages?.length) return p.language;
  const allowed = [...new Set(p.languages)];
  if (allowed.length === 1) return allowed[0];
  const { codes, probs } = await detect();
  return pickLanguage(codes, probs, allowed);
}
