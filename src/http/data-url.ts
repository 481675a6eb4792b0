/**
 * RFC 2397 data URLs, as OpenAI takes known_speaker_references[]: `data:audio/wav;base64,...`.
 * Only audio (or an unlabelled octet stream) is accepted; whether the bytes really are audio
 * is for the decoder to say.
 */
export interface DataUrl {
  mediaType: string;
  bytes: Buffer;
}

const DATA_URL = /^data:([^,]*?),(.*)$/s;
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** Parses a data URL; returns a reason string when it is malformed. */
export function parseDataUrl(value: string): DataUrl | string {
  const m = DATA_URL.exec(value.trim());
  if (!m) return "not a data URL (expected 'data:audio/<type>;base64,<data>')";
  const params = m[1].split(';').map((p) => p.trim());
  const base64 = params.at(-1)?.toLowerCase() === 'base64';
  const mediaType = (params[0] || 'text/plain').toLowerCase();
  if (!/^(audio|video)\/[\w.+-]+$/.test(mediaType) && mediaType !== 'application/octet-stream') {
    return `media type '${mediaType}' is not audio`;
  }
  let bytes: Buffer;
  if (base64) {
    const data = m[2].replace(/%2B/gi, '+').replace(/%2F/gi, '/').replace(/%3D/gi, '=');
    if (!BASE64.test(data)) return 'the base64 payload has characters outside the base64 alphabet';
    bytes = Buffer.from(data, 'base64');
  } else {
    if (/%(?![0-9a-f]{2})/i.test(m[2])) return 'the payload is not valid percent-encoding';
    bytes = percentDecode(m[2]);
  }
  if (bytes.length === 0) return 'the payload is empty';
  return { mediaType, bytes };
}

/** Percent-decoding to raw bytes (decodeURIComponent insists on UTF-8, audio is binary). */
function percentDecode(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%') {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(...Buffer.from(s[i], 'utf8'));
    }
  }
  return Buffer.from(out);
}
