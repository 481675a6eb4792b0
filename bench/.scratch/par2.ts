import { createWhisperEngine } from '../../src/engine/whisper.js';
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { planChunks, transcribeLongForm } from '../../src/engine/long-form.js';
const engine = createWhisperEngine({ logVerbosity: 0 });
const model = await engine.loadModel('models/ggml-tiny.en.bin', { name: 'tiny.en' });
const vad = await engine.loadVad!('models/ggml-silero-v6.2.0.bin');
const audio = await createFfmpegDecoder().decodeFile(process.argv[2] ?? 'test/fixtures/audio/long_concat_en_16k.wav', {});
const speech = await vad.detect(audio.pcm, { threshold: 0.5, silenceDurationMs: 160, prefixPaddingMs: 400 } as any);
console.log(planChunks(speech, audio.duration, undefined, 2).map((c) => (c.end - c.start).toFixed(1)).join(' '));
const beam = Number(process.env.BEAM ?? 5);
const t = async (w: number) => { const t0 = performance.now(); await transcribeLongForm(model, audio.pcm, speech, { beamSize: beam, bestOf: 5, threads: 2 }, {}, { maxWorkers: w }); return (performance.now() - t0) / 1000; };
await t(2);
for (let r = 0; r < 4; r++) { const a = await t(1); const b = await t(2); console.log(`w1 ${a.toFixed(2)} w2 ${b.toFixed(2)} ratio ${(b / a).toFixed(2)}`); }
