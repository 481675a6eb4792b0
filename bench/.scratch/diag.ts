import { createWhisperEngine } from '../../src/engine/whisper.js';
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { transcribeLongForm } from '../../src/engine/long-form.js';
const engine = createWhisperEngine({ logVerbosity: 0 });
const model = await engine.loadModel('models/ggml-tiny.en.bin', { name: 'tiny.en' });
const vad = await engine.loadVad!('models/ggml-silero-v6.2.0.bin');
const audio = await createFfmpegDecoder().decodeFile(process.argv[2] ?? '/tmp/bench-exact-clips-joined.wav', {});
const speech = await vad.detect(audio.pcm, { threshold: 0.5, silenceDurationMs: 160, prefixPaddingMs: 400 } as any);
const beam = Number(process.env.BEAM ?? 5);
const timed = { ...model, transcribe: async (pcm: Float32Array, p: any, h: any) => {
  const t0 = performance.now(); const r = await model.transcribe(pcm, p, h);
  console.log(`  chunk ${(pcm.length / 16000).toFixed(1)} s, ${p.threads}t: ${((performance.now() - t0) / 1000).toFixed(2)} s; temps ${r.segments.map((s) => s.temperature).join(',')}; cr ${r.segments.map((s) => s.compression_ratio.toFixed(1)).join(',')}`);
  return r; } };
for (let r = 0; r < Number(process.env.REPS ?? 2); r++) {
  const t0 = performance.now();
  const t = await transcribeLongForm(timed, audio.pcm, speech, { beamSize: beam, bestOf: 5, threads: 2 }, {}, {});
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(2)}`);
  if (r === 0) console.log(t.text);
}
