import { describe, expect, it } from 'vitest';
import { GGML_TEXT_TOKENS, parseTokenizerJson, parseVocabularyJson, parseVocabularyTxt, textTokens } from '../../src/models-cli/vocabulary.js';

describe('CTranslate2 vocabulary files', () => {
  it('vocabulary.txt: one token per line, final newline dropped, empty tokens kept', () => {
    expect(parseVocabularyTxt('!\nĠthe\n\nĊ\n')).toEqual(['!', 'Ġthe', '', 'Ċ']);
    expect(parseVocabularyTxt('a\r\nb')).toEqual(['a', 'b']);
  });

  it('vocabulary.json: an array of strings', () => {
    expect(parseVocabularyJson('["!", "Ġa", ""]')).toEqual(['!', 'Ġa', '']);
    expect(() => parseVocabularyJson('{"a": 1}')).toThrow(/array of strings/);
  });

  it('tokenizer.json: model.vocab plus added_tokens, by id', () => {
    const json = JSON.stringify({ model: { vocab: { b: 1, a: 0 } }, added_tokens: [{ id: 2, content: '<|endoftext|>' }] });
    expect(parseTokenizerJson(json)).toEqual(['a', 'b', '<|endoftext|>']);
    expect(() => parseTokenizerJson(JSON.stringify({ model: { vocab: { a: 0, c: 2 } } }))).toThrow(/no token for id 1/);
  });
});

describe('textTokens (what goes into the ggml file)', () => {
  const base = Array.from({ length: 50256 }, (_, i) => `t${i}`);

  it('keeps ids 0..50256: for .en models that ends with <|endoftext|>', () => {
    const en = [...base, '<|endoftext|>', '<|startoftranscript|>'];
    const t = textTokens(en);
    expect(t.length).toBe(GGML_TEXT_TOKENS);
    expect(t.at(-1)).toBe('<|endoftext|>');
  });

  it('for multilingual models it ends with the empty token before <|endoftext|>', () => {
    const multi = [...base, '', '<|endoftext|>', '<|startoftranscript|>'];
    expect(textTokens(multi).at(-1)).toBe('');
  });

  it('rejects vocabularies that are not Whisper-shaped', () => {
    expect(() => textTokens(base)).toThrow(/fewer than/);
    expect(() => textTokens([...base, 'x', 'y'])).toThrow(/<\|endoftext\|> is at id -1/);
  });
});
