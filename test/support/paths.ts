/** Where the test clips and the imported weights live, for tests and benchmarks. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * The clips the suite uses live in the repository (test/fixtures/audio, with their sources and
 * licenses), so a clone runs its own tests. AUDIO_DIR points elsewhere (a larger set) on purpose.
 */
export const audioDir = process.env.AUDIO_DIR ?? path.join(repoRoot, 'test', 'fixtures', 'audio');

/** A clip's path: a name in audioDir, or an absolute path as it is (a recording a test built, e.g. long-speech.ts). */
export const audioPath = (file: string) => path.resolve(audioDir, file);

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

/** Rows of transcripts.tsv beside the clips. */
export function references(): Reference[] {
  const rows = readFileSync(path.join(audioDir, 'transcripts.tsv'), 'utf8').trim().split('\n').slice(1);
  return rows.map((row) => {
    const [file, language, duration, quality, text] = row.split('\t');
    return { file, language, duration: Number(duration), quality: quality as Reference['quality'], text };
  });
}
