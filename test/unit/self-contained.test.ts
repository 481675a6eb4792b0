/**
 * A clone runs its own suite: nothing the tests, benches, scripts or CI read may sit outside the
 * repository (the team's old shared folder beside the checkout existed only on its machines).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { audioDir, references, repoRoot } from '../support/paths.js';

const tracked = execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n');

describe('self-contained clone', () => {
  it('no code, script or CI step reads the shared folder beside the checkout', () => {
    const code = tracked.filter((f) => /\.(ts|mts|mjs|cjs|js|py|sh)$/.test(f) || f.startsWith('.ci/'));
    // The parent's "shared" folder as a path, as path.join arguments, or through its variable.
    const outside = new RegExp(String.raw`\.\.\/${'shared'}\b|'\.\.', '${'shared'}'|${'SHARED'}_DIR`);
    const offenders = code.filter((f) => outside.test(readFileSync(path.join(repoRoot, f), 'utf8')));
    // This file included: it spells the pattern in pieces, so it does not match itself.
    expect(offenders).toEqual([]);
  });

  it('every recorded clip a test or the load test names is in the fixtures', () => {
    // Generated clips (silence.wav, tone.wav, …) are made by the tests; recorded ones follow these names.
    const recorded = /['"`]((?:jfk|librispeech_|ljspeech_|picovoice_|sr_|ps_|fw_|long_concat|lucier|churchill)[\w.-]*\.(?:wav|flac|mp3|aiff))['"`]/g;
    const users = tracked.filter((f) => /^(test|loadtest)\//.test(f) && /\.(ts|py)$/.test(f));
    const missing = users.flatMap((f) =>
      [...readFileSync(path.join(repoRoot, f), 'utf8').matchAll(recorded)].map((m) => m[1]).filter((clip) => !existsSync(path.join(audioDir, clip))).map((clip) => `${f}: ${clip}`),
    );
    expect(missing).toEqual([]);
  });

  it('the test clips are in the repository, each with its source and license', () => {
    expect(audioDir).toBe(process.env.AUDIO_DIR ?? path.join(repoRoot, 'test', 'fixtures', 'audio'));
    const sources = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'audio', 'SOURCES.md'), 'utf8');
    const clips = tracked.filter((f) => f.startsWith('test/fixtures/audio/') && !/\.(md|tsv)$/.test(f)).map((f) => path.basename(f));
    expect(clips.length).toBeGreaterThanOrEqual(20);
    for (const clip of clips) expect(sources, clip).toContain(`| ${clip} |`);
    // Every reference row names a clip that is here.
    for (const r of references()) expect(existsSync(path.join(audioDir, r.file)), r.file).toBe(true);
  });
});
