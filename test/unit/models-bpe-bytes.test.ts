import { describe, expect, it } from 'vitest';
import { byteToCodePoint, bytesToToken, tokenToBytes } from '../../src/models-cli/bpe-bytes.js';

describe('GPT-2 byte-level BPE decoding', () => {
  it('maps the 256 bytes to 256 distinct code points, printable ones to themselves', () => {
    const table = byteToCodePoint();
    expect(new Set(table).size).toBe(256);
    expect(table[0x41]).toBe(0x41); // "A"
    expect(table[0x20]).toBe(0x120); // space -> "Ġ"
    expect(table[0x0a]).toBe(0x10a); // newline -> "Ċ"
    expect(table[0xad]).toBe(0x143); // soft hyphen is remapped too
  });

  it('decodes typical Whisper tokens to raw bytes', () => {
    expect(tokenToBytes('Ġhello').toString('latin1')).toBe(' hello');
    expect(tokenToBytes('ĊĊ').toString('latin1')).toBe('\n\n');
    expect(tokenToBytes('<|endoftext|>').toString('latin1')).toBe('<|endoftext|>');
    expect([...tokenToBytes('åľº')]).toEqual([0xe5, 0x9c, 0xba]); // "场" in UTF-8
    expect(tokenToBytes('').length).toBe(0);
  });

  it('keeps bytes that are not valid UTF-8 on their own (partial characters)', () => {
    expect([...tokenToBytes('¡')]).toEqual([0xa1]);
    expect([...tokenToBytes('Ã')]).toEqual([0xc3]);
  });

  it('round-trips every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect([...tokenToBytes(bytesToToken(all))]).toEqual([...all]);
  });

  it('rejects characters outside the byte alphabet', () => {
    expect(() => tokenToBytes('a b')).toThrow(/U\+0020.*GPT-2 byte alphabet/);
    expect(() => tokenToBytes('中')).toThrow(/not in the GPT-2 byte alphabet/);
  });
});
