import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** models/catalog.json ships with the code, so it is found relative to this file, not --dir. */
export const CATALOG_PATH = fileURLToPath(new URL('../../models/catalog.json', import.meta.url));

const hex = (n: number) => z.string().regex(new RegExp(`^[0-9a-f]{${n}}$`), `expected ${n} lowercase hex digits`);

export const CatalogEntry = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  /** What whisper.cpp loads it as: a Whisper model (when absent) or a Silero VAD model. */
  kind: z.enum(['whisper', 'vad']).optional(),
  file: z.string().regex(/^ggml-[a-z0-9._-]+\.bin$/),
  url: z.url(),
  /** Bytes; null when no trustworthy figure is known. */
  size: z.number().int().positive().nullable(),
  sha256: hex(64).nullable(),
  sha1: hex(40).nullable(),
  /** For a VAD model: true, it is language-independent. */
  multilingual: z.boolean(),
  quantization: z.enum(['f16', 'q5_0', 'q5_1', 'q8_0']),
  checksumSource: z.string(),
  verifiedByConversion: z.boolean().optional(),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

const Catalog = z.object({ $comment: z.string().optional(), models: z.array(CatalogEntry) });

export function parseCatalog(json: unknown): CatalogEntry[] {
  const parsed = Catalog.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`models/catalog.json is invalid at ${issue.path.join('.')}: ${issue.message}`);
  }
  const names = new Set<string>();
  for (const m of parsed.data.models) {
    if (names.has(m.name)) throw new Error(`models/catalog.json lists ${m.name} twice`);
    names.add(m.name);
  }
  return parsed.data.models;
}

export function loadCatalog(path = CATALOG_PATH): CatalogEntry[] {
  return parseCatalog(JSON.parse(readFileSync(path, 'utf8')));
}

export function findModel(catalog: CatalogEntry[], name: string): CatalogEntry {
  const hit = catalog.find((m) => m.name === name || m.file === name);
  if (!hit) throw new Error(`unknown model ${JSON.stringify(name)}; known: ${catalog.map((m) => m.name).join(', ')}`);
  return hit;
}
