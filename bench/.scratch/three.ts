import { shortWindowFrames } from '../../src/engine/short-window.js';
import { realEngine } from '../../test/engine/setup.js';
import { audioPath } from '../../test/support/paths.js';
const { pool, decoder } = realEngine();
const CHUNK = ['librispeech_2412-153948-0000.flac', 'ljspeech_LJ002-0020.wav', 'ljspeech_LJ002-0035.wav'];
const parts = await Promise.all(CHUNK.map(async (clip) => (await decoder.decodeFile(audioPath(clip))).pcm));
const lead = Number(process.argv[2] ?? 0);
const gap = new Float32Array(1.5 * 16_000);
const pcm = new Float32Array(lead * 16000 + parts.reduce((n, p) => n + p.length + gap.length, 0) - gap.length);
parts.reduce((at, p) => (pcm.set(p, at), at + p.length + gap.length), lead * 16000);
for (const cont of [false, true, false, true]) {
  if (cont) delete process.env.NO_CONT; else process.env.NO_CONT = '1';
  const w: number[] = [];
  const t0 = performance.now();
  const t = await pool.withModel('tiny.en', undefined, (m) => m.transcribe(pcm, { beamSize: 1, threads: 1, audioCtx: shortWindowFrames(pcm.length) }, { onProgress: (f) => w.push(f) }));
  console.log(cont, (performance.now() - t0).toFixed(0), w.map((x) => x.toFixed(2)).join(','), t.segments.map((s) => `[${s.start}-${s.end}]${s.text}`).join(' '));
}
await pool.close();
