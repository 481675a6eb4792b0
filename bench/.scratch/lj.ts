import { createWhisperEngine } from '../../src/engine/whisper.js';
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { shortWindowFrames } from '../../src/engine/short-window.js';
import { AUTO_VAD } from '../../src/services/transcription.js';
const engine = createWhisperEngine({ logVerbosity: 0 });
const model = await engine.loadModel('models/ggml-tiny.en.bin', { name: 'tiny.en' });
await engine.loadVad!('models/ggml-silero-v6.2.0.bin');
for (const f of ['ljspeech_LJ002-0020.wav', 'picovoice_test.wav', 'ljspeech_LJ050-0131.wav']) {
  const a = await createFfmpegDecoder().decodeFile('test/fixtures/audio/' + f, {});
  for (const [name, p] of [['vad+short', { vad: AUTO_VAD, audioCtx: shortWindowFrames(a.pcm.length) }], ['vad+full', { vad: AUTO_VAD }], ['novad+short', { audioCtx: shortWindowFrames(a.pcm.length) }], ['vad+ctx750', { vad: AUTO_VAD, audioCtx: 750 }], ['vad+ctx1000', { vad: AUTO_VAD, audioCtx: 1000 }]] as const) {
    const t = await model.transcribe(a.pcm, { beamSize: 5, bestOf: 5, threads: 2, ...p } as any);
    console.log(f, name.padEnd(12), shortWindowFrames(a.pcm.length), JSON.stringify(t.text), t.segments.map((s) => s.compression_ratio.toFixed(2) + '/' + s.temperature).join(' '));
  }
}
