/**
 * OpenAI's `languages[]` and `keywords[]` in whisper's terms. One possible language is simply
 * `language`; several restrict whisper.cpp's language identification to them (the engine masks
 * the other languages' probabilities). Keywords bias decoding through the initial prompt:
 * whisper.cpp has no logit bias, and a prompt that ends with the words, comma-separated, makes
 * whisper hear them (BENCHMARKS.md, "keywords": tiny.en writes "comfyu eye" for ComfyUI without
 * it); keyword-spelling.ts then fixes how they are written. whisper.cpp keeps the end of an
 * over-long prompt, so the keywords go last.
 */
import { errors } from '../errors.js';

export interface LanguageChoice {
  /** A fixed language: `language`, or the only one of `languages[]`. */
  language?: string;
  /** Two or more candidates for language identification. */
  languages?: string[];
}

export function languageChoice(
  language: string | undefined,
  languages: readonly string[] | undefined,
  model?: { model: string; multilingual: () => boolean },
): LanguageChoice {
  const choice = candidates(language, languages);
  // An English-only model identifies no language: of several candidates, English is the one it can do.
  if (!choice.languages || !model || model.multilingual()) return choice;
  if (!choice.languages.includes('en')) {
    throw errors.invalidRequest(`Model '${model.model}' is English-only; languages[] must include 'en'.`, 'languages', 'unsupported_language');
  }
  return { language: 'en' };
}

function candidates(language: string | undefined, languages: readonly string[] | undefined): LanguageChoice {
  if (!languages?.length) return { language };
  const unique = [...new Set(languages)];
  if (language !== undefined) {
    if (!unique.includes(language)) {
      throw errors.invalidRequest(`language '${language}' is not one of languages[] (${unique.join(', ')}).`, 'languages');
    }
    return { language };
  }
  return unique.length === 1 ? { language: unique[0] } : { languages: unique };
}

export function promptWithKeywords(prompt: string | undefined, keywords: readonly string[] | undefined): string | undefined {
  const words = [...new Set((keywords ?? []).map((k) => k.trim()).filter(Boolean))];
  if (!words.length) return prompt;
  // Ending the list with a full stop measured steadier than without (BENCHMARKS.md, "keywords").
  return [prompt?.trim(), `${words.join(', ')}.`].filter(Boolean).join(' ');
}
