/**
 * Benchmark runner: `npm run bench -- <name> [args]`. Each sub-benchmark prints a markdown
 * section (tables with medians and ratios) on stdout and its progress on stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lib/env.js';

type Bench = { main: (args: string[]) => Promise<unknown> };
const BENCHES: Record<string, () => Promise<Bench>> = {
  'build-variants': () => import('./build-variants.js'),
  flags: () => import('./flags.js'),
  'whisper-cpp': () => import('./whisper-cpp.js'),
  'faster-whisper': () => import('./faster-whisper.js'),
  'fw-settings': () => import('./fw-settings.js'),
  concurrency: () => import('./concurrency.js'),
  'long-form': () => import('./long-form.js'),
  'chunk-plan': () => import('./chunk-plan.js'),
  'wer-settings': () => import('./wer-settings.js'),
  memory: () => import('./memory.js'),
  http: () => import('./http.js'),
  agreement: () => import('./agreement.js'),
  realtime: () => import('./realtime.js'),
  'abort-stress': () => import('./abort-stress.js'),
  'vad-wer': () => import('./vad-wer.js'),
  speaches: () => import('./speaches.js'),
  'short-window': () => import('./short-window.js'),
  levers: () => import('./levers.js'),
  diarization: () => import('./diarization.js'),
  'commit-rule': () => import('./commit-rule.js'),
};

const [name, ...args] = process.argv.slice(2);
if (!name || !BENCHES[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [args]`);
  process.exit(2);
}
const out = await (await BENCHES[name]()).main(args);
if (out) {
  const dir = path.join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${[name, ...args].join('-')}.md`), String(out) + '\n');
  console.log(String(out));
}
// Workers and servers are closed by each benchmark; exit in case a handle lingers.
process.exit(0);
