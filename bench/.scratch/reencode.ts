import { planChunks } from '../../src/engine/long-form.js';
import { AUTO_VAD } from '../../src/services/transcription.js';
import { shortWindowFrames } from '../../src/engine/short-window.js';
import { realEngine } from '../../test/engine/setup.js';
import { requireModel } from '../../test/support/paths.js';
const { engine, pool, decoder } = realEngine();
const vad = await engine.loadVad!(requireModel('silero-v6.2.0'));
for (const file of process.argv.slice(2)) {
  const { pcm } = await decoder.decodeFile(file);
  const chunks = planChunks(await vad.detect(pcm, AUTO_VAD), pcm.length / 16000, undefined, 2);
  let extra = 0;
  for (const c of chunks) {
    const audio = pcm.subarray(Math.floor(c.start * 16000), Math.ceil(c.end * 16000));
    const prog: number[] = [];
    const t0 = performance.now();
    const r = await pool.withModel('tiny.en', undefined, (m) => m.transcribe(audio, { beamSize: 1, threads: 1, audioCtx: shortWindowFrames(audio.length) }, { onProgress: (f) => prog.push(Math.round(f * 100)) }));
    const ms = performance.now() - t0;
    const last = r.segments.at(-1);
    const iters = prog.length - 1;
    if (iters > 1) extra += iters - 1;
    console.log(`${(c.end - c.start).toFixed(1)} s: ${ms.toFixed(0)} ms, progress ${prog.join(',')}, last seg end ${last?.end.toFixed(2)} of ${(audio.length / 16000).toFixed(2)}`);
  }
  console.log(file, chunks.length, 'chunks, extra windows', extra);
}
await pool.close(); await vad.free();
