// A/B: the chunks of a file that whisper.cpp reads in two windows, with and without the continued short window.
import { planChunks } from '../../src/engine/long-form.js';
import { AUTO_VAD } from '../../src/services/transcription.js';
import { shortWindowFrames } from '../../src/engine/short-window.js';
import { realEngine } from '../../test/engine/setup.js';
import { requireModel } from '../../test/support/paths.js';
const { engine, pool, decoder } = realEngine();
const vad = await engine.loadVad!(requireModel('silero-v6.2.0'));
const { pcm } = await decoder.decodeFile(process.argv[2]);
const chunks = planChunks(await vad.detect(pcm, AUTO_VAD), pcm.length / 16000, undefined, 2);
const run = async (c: { start: number; end: number }, cont: boolean) => {
  if (cont) delete process.env.NO_CONT; else process.env.NO_CONT = '1';
  const audio = pcm.subarray(Math.floor(c.start * 16000), Math.ceil(c.end * 16000));
  const prog: number[] = [];
  const t0 = performance.now();
  const r = await pool.withModel('tiny.en', undefined, (m) => m.transcribe(audio, { beamSize: 1, threads: 1, audioCtx: shortWindowFrames(audio.length) }, { onProgress: (f) => prog.push(f) }));
  return { ms: performance.now() - t0, text: r.text, windows: prog.length - 1 };
};
const twice = [];
for (const c of chunks) if ((await run(c, false)).windows > 1) twice.push(c);
console.log(`${twice.length} of ${chunks.length} chunks read in two windows`);
const tot = { a: [] as number[], b: [] as number[] };
for (let rep = 0; rep < 3; rep++) {
  let a = 0, b = 0;
  for (const c of twice) {
    const first = rep % 2 === 0;
    const x = first ? await run(c, false) : await run(c, true);
    const y = first ? await run(c, true) : await run(c, false);
    const [old, neu] = first ? [x, y] : [y, x];
    a += old.ms; b += neu.ms;
    if (rep === 0) console.log(`${(c.end - c.start).toFixed(1)} s: same text ${old.text === neu.text}\n  old: ${old.text.slice(-120)}\n  new: ${neu.text.slice(-120)}`);
  }
  tot.a.push(a); tot.b.push(b);
  console.log(`rep ${rep}: old ${a.toFixed(0)} ms, continued window ${b.toFixed(0)} ms, ${(b / a).toFixed(2)}x  load ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
}
await pool.close(); await vad.free();
