import { readFile } from 'node:fs/promises';
import { references } from '../../test/support/paths.js';
import { normalize, wordErrors } from '../../test/support/wer.js';
import { audioPath } from '../lib/env.js';
import { startOurServer } from '../lib/our-server.js';
const configs: [string, Record<string, string>][] = [['defaults', {}], ['SHORT_WINDOW=false', { SHORT_WINDOW: 'false' }], ['baseline build', { WHISPER_CPU_VARIANT: 'baseline' }], ['threads 1', { THREADS_PER_REQUEST: '1' }], ['VAD off', { VAD_FILTER: 'off' }]];
const servers = await Promise.all(configs.map(([, e]) => startOurServer(e)));
const clips = references().filter((r) => r.quality === 'exact' && r.language === 'en');
const tot = configs.map(() => 0); let words = 0;
for (const c of clips) {
  const ref = normalize(c.text); words += ref.length;
  const row: string[] = [];
  for (let i = 0; i < configs.length; i++) {
    const t = (await servers[i].transcribe(await readFile(audioPath(c.file)), c.file)).text;
    const e = wordErrors(ref, normalize(t)); tot[i] += e; row.push(String(e));
    if (e > 0 && i === 0) console.log('   ', c.file, JSON.stringify(t));
  }
  console.log(c.file.padEnd(40), row.join('\t'));
}
console.log('total'.padEnd(40), tot.map((e) => (100 * e / words).toFixed(2) + '%').join('\t'), words);
servers.forEach((s) => s.close());
