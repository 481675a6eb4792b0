import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * CTranslate2 Whisper directories carry the vocabulary in one of three forms:
 * vocabulary.json (a JSON array, newer converters), vocabulary.txt (one token
 * per line, older ones), or only the Hugging Face tokenizer.json. All give the
 * token string for each id, in GPT-2's byte-to-unicode spelling.
 */

export const VOCABULARY_FILES = ['vocabulary.json', 'vocabulary.txt', 'tokenizer.json'] as const;

export function parseVocabularyJson(text: string): string[] {
  const v: unknown = JSON.parse(text);
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) throw new Error('vocabulary.json is not an array of strings');
  return v as string[];
}

export function parseVocabularyTxt(text: string): string[] {
  const lines = text.split('\n');
  // Byte-level BPE spells "\n" as "Ċ", so a real newline only ever ends a line;
  // the one after the last token leaves an empty string to drop.
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

interface TokenizerJson {
  model?: { vocab?: Record<string, number> };
  added_tokens?: { id: number; content: string }[];
}

export function parseTokenizerJson(text: string): string[] {
  const t = JSON.parse(text) as TokenizerJson;
  const vocab = t.model?.vocab;
  if (!vocab) throw new Error('tokenizer.json has no model.vocab');
  const out: string[] = [];
  for (const [tok, id] of Object.entries(vocab)) out[id] = tok;
  for (const { id, content } of t.added_tokens ?? []) out[id] ??= content;
  const hole = out.findIndex((x) => x === undefined);
  if (hole >= 0) throw new Error(`tokenizer.json has no token for id ${hole}`);
  return out;
}

export function readVocabulary(dir: string): { tokens: string[]; file: string } {
  for (const file of VOCABULARY_FILES) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    const tokens = file === 'vocabulary.json' ? parseVocabularyJson(text) : file === 'vocabulary.txt' ? parseVocabularyTxt(text) : parseTokenizerJson(text);
    return { tokens, file };
  }
  throw new Error(`no vocabulary in ${dir} (looked for ${VOCABULARY_FILES.join(', ')})`);
}

/**
 * Whisper's text tokens are GPT-2's 50257-entry table (ids 0..50256). The
 * published ggml files store exactly those, so that is what we write: for .en
 * models it ends with <|endoftext|>, for multilingual ones with an empty
 * token, as in ggml-tiny.en.bin / ggml-tiny.bin on Hugging Face. Everything
 * after (specials, languages, timestamps) whisper.cpp synthesises from n_vocab.
 */
export const GGML_TEXT_TOKENS = 50257;

export function textTokens(tokens: string[]): string[] {
  if (tokens.length < GGML_TEXT_TOKENS) throw new Error(`vocabulary has ${tokens.length} tokens, fewer than Whisper's ${GGML_TEXT_TOKENS}`);
  const eot = tokens.indexOf('<|endoftext|>');
  if (eot !== 50256 && eot !== 50257) throw new Error(`<|endoftext|> is at id ${eot}; expected 50256 (.en) or 50257 (multilingual)`);
  return tokens.slice(0, GGML_TEXT_TOKENS);
}
