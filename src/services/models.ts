/**
 * The model catalogue: which names this server answers to, and where their weights are.
 * Sources, in order: weights files in MODELS_DIR (`ggml-<name>.bin`), metadata from
 * catalog.json (standard names, file names, multilingual flags), then aliases (whisper-1 →
 * DEFAULT_MODEL). The directory is re-read on each lookup so weights fetched while the server
 * runs become usable without a restart; it holds a handful of files, so this is cheap.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelInfo } from '../engine/types.js';
import { errors } from '../errors.js';

export interface CatalogEntry {
  name: string;
  file?: string;
  multilingual?: boolean;
  /** "vad" for the Silero weights: not a transcription model. */
  kind?: string;
}

export interface ModelListing {
  id: string;
  /** Unix seconds: the weights file's mtime. */
  created: number;
  owned_by: string;
}

export interface ModelCatalog {
  /** The canonical name DEFAULT_MODEL resolves to (aliases followed). */
  readonly defaultModel: string;
  /** Follows aliases; undefined for a name nothing on disk answers to. */
  resolve(name: string): ModelInfo | undefined;
  /** Like resolve, but throws the OpenAI 404 model_not_found. */
  require(name: string): ModelInfo;
  list(): ModelListing[];
  get(id: string): ModelListing | undefined;
}

export interface ModelCatalogOptions {
  modelsDir: string;
  defaultModel: string;
  aliases: Readonly<Record<string, string>>;
  /** catalog.json files to read, first found wins per name (MODELS_DIR's, then the repo's). */
  catalogFiles?: string[];
}

const OWNER = 'local';
const WEIGHTS = /^ggml-(.+)\.bin$/;

/** English-only checkpoints are named `*.en` (tiny.en, base.en-q5_1, ...). */
export const isEnglishOnlyName = (name: string) => /\.en($|[-_.])/.test(name);

export function createModelCatalog(opts: ModelCatalogOptions): ModelCatalog {
  const metadata = readCatalogs(opts.catalogFiles ?? [path.join(opts.modelsDir, 'catalog.json')]);
  const fileFor = (name: string) => metadata.get(name)?.file ?? `ggml-${name}.bin`;
  const canonical = (name: string) => opts.aliases[name] ?? name;

  function resolve(requested: string): ModelInfo | undefined {
    const name = canonical(requested);
    // Names come from clients: never let one walk out of MODELS_DIR.
    if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) return undefined;
    const file = path.join(opts.modelsDir, path.basename(fileFor(name)));
    // VAD weights (models/ggml-silero-*.bin) live beside the whisper models but transcribe nothing.
    if (metadata.get(name)?.kind === 'vad' || /^ggml-silero-/.test(path.basename(file))) return undefined;
    const stat = statFile(file);
    if (!stat) return undefined;
    const multilingual = metadata.get(name)?.multilingual ?? !isEnglishOnlyName(name);
    return { name, path: file, multilingual, sizeBytes: stat.size };
  }

  function listing(id: string): ModelListing | undefined {
    const info = resolve(id);
    if (!info) return undefined;
    const mtime = statFile(info.path)?.mtimeMs ?? 0;
    return { id, created: Math.floor(mtime / 1000), owned_by: OWNER };
  }

  return {
    defaultModel: canonical(opts.defaultModel),
    resolve,
    require(name) {
      const info = resolve(name);
      if (!info) throw errors.modelNotFound(name);
      return info;
    },
    list() {
      const names = new Set<string>();
      for (const f of readDir(opts.modelsDir)) {
        const known = [...metadata.values()].find((m) => m.file === f)?.name;
        const m = WEIGHTS.exec(f);
        if (known) names.add(known);
        else if (m) names.add(m[1]);
      }
      for (const alias of Object.keys(opts.aliases)) names.add(alias);
      return [...names].sort().flatMap((id) => listing(id) ?? []);
    },
    get: listing,
  };
}

function statFile(file: string): fs.Stats | undefined {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st : undefined;
  } catch {
    return undefined;
  }
}

function readDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Reads catalog.json leniently: an array of entries or `{ models: [...] }`; bad files are skipped. */
export function readCatalogs(files: string[]): Map<string, CatalogEntry> {
  const out = new Map<string, CatalogEntry>();
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const entries = Array.isArray(raw) ? raw : (raw as { models?: unknown })?.models;
    if (!Array.isArray(entries)) continue;
    for (const e of entries as Record<string, unknown>[]) {
      if (typeof e?.name !== 'string' || out.has(e.name)) continue;
      const file = [e.file, e.filename, e.ggml_file].find((v) => typeof v === 'string') as string | undefined;
      const multilingual = typeof e.multilingual === 'boolean' ? e.multilingual : undefined;
      const kind = typeof e.kind === 'string' ? e.kind : undefined;
      out.set(e.name, { name: e.name, file, multilingual, kind });
    }
  }
  return out;
}
