/** Where the shared clips and the imported weights live, for tests and benchmarks. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = process.env.SHARED_DIR ?? path.resolve(repoRoot, '..', 'shared');

export const audioPath = (file: string) => path.join(sharedDir, 'audio', file);

/** Real weights are required, never optional: a missing file fails the test that needs it. */
export function requireModel(name: string): string {
  const file = path.join(repoRoot, 'models', `ggml-${name}.bin`);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`npm run models -- fetch-test\` first`);
  }
  return file;
}

export interface Reference {
  file: string;
  language: string;
  duration: number;
  quality: 'exact' | 'approx' | 'partial' | 'none';
  text: string;
}

/** Rows of shared/audio/transcripts.tsv. */
export function references(): Reference[] {
  const rows = readFileSync(path.join(sharedDir, 'audio', 'transcripts.tsv'), 'utf8').trim().split('\n').slice(1);
  return rows.map((row) => {
    const [file, language, duration, quality, text] = row.split('\t');
    return { file, language, duration: Number(duration), quality: quality as Reference['quality'], text };
  });
}
