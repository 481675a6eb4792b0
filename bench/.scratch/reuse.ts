import { createWhisperEngine } from '../../src/engine/whisper.js';
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { shortWindowFrames } from '../../src/engine/short-window.js';
import { AUTO_VAD } from '../../src/services/transcription.js';
const engine = createWhisperEngine({ logVerbosity: 0 });
const model = await engine.loadModel('models/ggml-tiny.en.bin', { name: 'tiny.en' });
await engine.loadVad!('models/ggml-silero-v6.2.0.bin');
const dec = createFfmpegDecoder();
const lj = await dec.decodeFile('test/fixtures/audio/ljspeech_LJ002-0020.wav', {});
const pico = await dec.decodeFile('test/fixtures/audio/picovoice_test.wav', {});
const others = ['librispeech_1272-141231-0002.flac', 'jfk.wav', 'ljspeech_LJ050-0131.wav', 'ps_forever_input_2_16k.wav'];
const p = (pcm: Float32Array) => ({ beamSize: 5, bestOf: 5, threads: 2, ...(process.env.NOVAD ? {} : { vad: AUTO_VAD }), audioCtx: shortWindowFrames(pcm.length) } as any);
for (let r = 0; r < 3; r++) {
  console.log('lj', JSON.stringify((await model.transcribe(lj.pcm, p(lj.pcm))).text), 'pico', JSON.stringify((await model.transcribe(pico.pcm, p(pico.pcm))).text.slice(0, 20)));
  for (const o of others) { const a = await dec.decodeFile('test/fixtures/audio/' + o, {}); await model.transcribe(a.pcm, p(a.pcm)); }
}
