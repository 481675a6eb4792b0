import { readFile } from 'node:fs/promises';
import { references } from '../../test/support/paths.js';
import { wer } from '../../test/support/wer.js';
import { audioPath } from '../lib/env.js';
import { startFw } from '../lib/faster-whisper.js';
import { interleave } from '../lib/interleave.js';
import { loadavg } from '../lib/load.js';
import { startOurServer } from '../lib/our-server.js';
import { median } from '../lib/stats.js';
const file = process.argv[2] ?? 'long_concat_en_16k.wav';
const reps = Number(process.argv[3] ?? 3);
const p = file.startsWith('/') ? file : audioPath(file);
const ref = references().find((r) => r.file === file)?.text;
const configs: [string, Record<string, string>][] = [['defaults', {}], ['workers=1', { LONG_FORM_WORKERS: '1' }], ['greedy', { BEAM_SIZE: '1' }]];
const servers = await Promise.all(configs.map(([, env]) => startOurServer(env)));
const fw = await startFw('int8', 2);
const bytes = await readFile(p);
const texts = new Map<string, string[]>();
const keep = (n: string) => (r: { seconds: number; text: string }) => { (texts.get(n) ?? texts.set(n, []).get(n)!).push(r.text); return r.seconds; };
console.log('load', loadavg());
const times = await interleave([
  ...configs.map(([n], i) => ({ name: n, run: () => servers[i].transcribe(bytes, 'a.wav').then(keep(n)) })),
  { name: 'speaches', run: () => fw.speaches(p).then(keep('speaches')) },
], reps);
for (const [n, t] of times) console.log(n.padEnd(10), median(t).toFixed(2), (median(t) / median(times.get('speaches')!)).toFixed(2) + '×', t.map((x) => x.toFixed(2)).join(' '), ref ? 'WER ' + texts.get(n)!.map((x) => (100 * wer(ref, x)).toFixed(1)).join(' ') : '');
console.log('load', loadavg());
servers.forEach((s) => s.close()); await fw.close();
