import { createWhisperEngine } from '../../src/engine/whisper.js';
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { planChunks, transcribeChunks } from '../../src/engine/long-form.js';
import { shortWindowFrames } from '../../src/engine/short-window.js';
const file = process.argv[2] ?? 'test/fixtures/audio/long_concat_en_16k.wav';
const modelFile = process.env.M ?? 'models/ggml-tiny.en.bin';
const engine = createWhisperEngine({ logVerbosity: 0 });
const model = await engine.loadModel(modelFile, { name: 'tiny.en' });
const vad = await engine.loadVad!('models/ggml-silero-v6.2.0.bin');
const audio = await createFfmpegDecoder().decodeFile(file, {});
const vp = { threshold: 0.5, silenceDurationMs: 160, prefixPaddingMs: 400 } as any;
const spans = await vad.detect(audio.pcm, vp);
const chunks = planChunks(spans, audio.duration);
console.log('chunks', chunks.map((c) => (c.end - c.start).toFixed(1)).join(' '));
const beam = Number(process.env.BEAM ?? 5);
const params = { beamSize: beam, bestOf: 5 } as any;
const t = async (f: () => Promise<unknown>) => { const t0 = performance.now(); await f(); return (performance.now() - t0) / 1000; };
const seq = () => transcribeChunks(model, audio.pcm, chunks, { ...params, threads: 2 });
const par = async () => {
  // two workers pulling chunks, 1 thread each
  let next = 0;
  const worker = async () => { while (next < chunks.length) { const i = next++; const c = chunks[i]; const a = audio.pcm.subarray(Math.floor(c.start*16000), Math.ceil(c.end*16000)); await model.transcribe(a, { ...params, threads: 1, audioCtx: shortWindowFrames(a.length) }); } };
  await Promise.all([worker(), worker()]);
};
await seq();
for (let r = 0; r < 3; r++) {
  const a = await t(seq); const b = await t(par);
  console.log(`seq2t ${a.toFixed(2)}  par2x1t ${b.toFixed(2)}  ratio ${(b / a).toFixed(2)}`);
}
await model.free();
