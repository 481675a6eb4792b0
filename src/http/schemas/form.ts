/**
 * Multipart forms carry only strings, while the schemas describe OpenAI's real types
 * (stream: boolean, temperature: number, timestamp_granularities: array). Rather than bending
 * each schema into string-parsing shapes (which would also corrupt the OpenAPI document), the
 * form is coerced *by reading the schema*: a field declared boolean gets "true"/"false" turned
 * into a boolean, an array field gets a lone value wrapped, and so on. Anything that does not
 * coerce cleanly is left as is for zod to reject with a proper message.
 */
import { z } from 'zod';
import type { DecodedAudio } from '../../audio/types.js';

/** An uploaded file, spooled to disk by the uploads plugin. */
export interface UploadedFile {
  fieldname: string;
  filename: string;
  mimetype: string;
  /** Absolute path of the spooled copy; removed when the reply is sent. */
  path: string;
  size: number;
  /** Routes with `upload.decodeEarly`: the audio, decoded while it arrived (undefined: decode `path`). */
  decoded?: Promise<DecodedAudio | undefined>;
}

const isUpload = (v: unknown): v is UploadedFile =>
  typeof v === 'object' && v !== null && typeof (v as UploadedFile).path === 'string';

/** A file part. Documented as OpenAPI's binary string so /docs renders a file picker. */
export const upload = (description: string) =>
  z.custom<UploadedFile>(isUpload, { message: 'expected a file upload' }).meta({
    type: 'string',
    format: 'binary',
    description,
  });

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[]; element?: z.ZodType };
const def = (s: z.ZodType) => s._zod.def as unknown as Def;

/** Strips wrappers that do not change the wire type. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const d = def(s);
    if (d.innerType && ['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch'].includes(d.type)) {
      s = d.innerType;
    } else if (d.type === 'pipe' && d.in) {
      s = d.in;
    } else {
      return s;
    }
  }
}

export function coerceValue(schema: z.ZodType, value: unknown): unknown {
  const s = unwrap(schema);
  const d = def(s);
  switch (d.type) {
    case 'boolean':
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
      return value;
    case 'number':
    case 'int':
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return value;
    case 'array': {
      const items = Array.isArray(value) ? value : [value];
      return d.element ? items.map((v) => coerceValue(d.element!, v)) : items;
    }
    case 'object':
      return coerceObject(s as z.ZodObject, value);
    case 'union': {
      // Coerce into the first member whose kind matches the value (string vs object).
      const member = d.options?.find((o) => (def(unwrap(o)).type === 'object') === isPlainObject(value));
      return member ? coerceValue(member, value) : value;
    }
    default:
      return value;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

export function coerceObject(schema: z.ZodObject, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [key, field] of Object.entries(schema.shape)) {
    if (out[key] !== undefined) out[key] = coerceValue(field as z.ZodType, out[key]);
  }
  return out;
}
