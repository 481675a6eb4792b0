import { planChunks } from '../../src/engine/long-form.js';
import { AUTO_VAD } from '../../src/services/transcription.js';
import { shortWindowFrames } from '../../src/engine/short-window.js';
import { realEngine } from '../../test/engine/setup.js';
import { requireModel } from '../../test/support/paths.js';
import { references } from '../../test/support/paths.js';
const { engine, pool, decoder } = realEngine();
const vad = await engine.loadVad!(requireModel('silero-v6.2.0'));
const { pcm } = await decoder.decodeFile(process.argv[2]);
const chunks = planChunks(await vad.detect(pcm, AUTO_VAD), pcm.length / 16000, undefined, 2);
const clips = references().filter((r) => r.quality === 'exact' && r.language === 'en' && r.duration < 30);
let t = 0; for (const c of clips) { console.log(c.file, t.toFixed(2), (t + c.duration).toFixed(2)); t += c.duration + 1.5; }
for (const c of chunks) {
  const audio = pcm.subarray(Math.floor(c.start * 16000), Math.ceil(c.end * 16000));
  const prog: number[] = [];
  const r = await pool.withModel('tiny.en', undefined, (m) => m.transcribe(audio, { beamSize: 1, threads: 1, audioCtx: shortWindowFrames(audio.length) }, { onProgress: (f) => prog.push(f) }));
  console.log(c.start.toFixed(2), c.end.toFixed(2), prog.map((p) => p.toFixed(2)).join(','), r.segments.map((s) => `[${s.start}-${s.end}]${s.text}`).join('\n   '));
}
await pool.close(); await vad.free();
