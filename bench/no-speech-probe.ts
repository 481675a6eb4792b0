/** Exploration: what each model and setting returns for silence, noise and framed speech. */
import { createFfmpegDecoder } from '../src/audio/ffmpeg.js';
import { createWhisperEngine } from '../src/engine/whisper.js';
import { AUTO_VAD } from '../src/services/transcription.js';
const dir = process.argv[2];
const engine = createWhisperEngine({ defaultThreads: 2 });
await engine.loadVad!('models/ggml-silero-v6.2.0.bin');
const decoder = createFfmpegDecoder();
for (const name of ['tiny.en', 'base']) {
  const m = await engine.loadModel(`models/ggml-${name}.bin`, { name });
  for (const clip of ['silence.wav', 'noise.wav', 'framed.wav']) {
    const { pcm } = await decoder.decodeFile(`${dir}/${clip}`);
    for (const [label, p] of [['greedy', { beamSize: 1, bestOf: 1 }], ['beam5', { beamSize: 5, bestOf: 5 }], ['beam5+vad', { beamSize: 5, bestOf: 5, vad: AUTO_VAD }]] as const) {
      const t = await m.transcribe(pcm, { ...p, language: 'en' });
      console.log(name, clip, label, JSON.stringify(t.text).slice(0, 90), t.segments.map((s) => `${s.start}-${s.end} nsp=${s.no_speech_prob.toFixed(2)} lp=${s.avg_logprob.toFixed(2)}`).join(' | '));
    }
  }
  await m.free();
}
