/**
 * GPT-2 byte-level BPE stores every token as a string in which each raw byte is
 * replaced by a printable Unicode character (bytes_to_unicode in openai/gpt-2).
 * whisper.cpp wants the raw bytes back, so we invert that table here.
 */

/** The 188 bytes that GPT-2 maps to themselves (printable Latin-1, minus space and soft hyphen). */
function isSelfMapped(b: number): boolean {
  return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

/** Byte -> code point, exactly as bytes_to_unicode builds it: the rest go to 256, 257, ... in byte order. */
export function byteToCodePoint(): Uint16Array {
  const table = new Uint16Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) table[b] = isSelfMapped(b) ? b : next++;
  return table;
}

let decoder: Map<number, number> | undefined;

function codePointToByte(): Map<number, number> {
  if (!decoder) {
    decoder = new Map();
    byteToCodePoint().forEach((cp, b) => decoder!.set(cp, b));
  }
  return decoder;
}

/** Decodes one vocabulary entry ("Ġhello") into its raw bytes (" hello"). */
export function tokenToBytes(token: string): Buffer {
  const map = codePointToByte();
  const out = Buffer.allocUnsafe(token.length);
  let n = 0;
  for (const ch of token) {
    const b = map.get(ch.codePointAt(0)!);
    if (b === undefined) {
      const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      throw new Error(`token ${JSON.stringify(token)} has U+${hex}, which is not in the GPT-2 byte alphabet`);
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** The inverse, used by tests and for printing. */
export function bytesToToken(bytes: Uint8Array): string {
  const table = byteToCodePoint();
  return Array.from(bytes, (b) => String.fromCodePoint(table[b])).join('');
}
