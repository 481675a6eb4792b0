import { createWhisperEngine } from '../../src/engine/whisper.js';
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { shortWindowFrames } from '../../src/engine/short-window.js';
const engine = createWhisperEngine({ logVerbosity: 0 });
const model = await engine.loadModel('models/ggml-tiny.en.bin', { name: 'tiny.en' });
const audio = await createFfmpegDecoder().decodeFile('/tmp/c26.wav', {});
const beam = Number(process.env.BEAM ?? 5);
const p = (threads: number) => ({ beamSize: beam, bestOf: 5, threads, audioCtx: shortWindowFrames(audio.pcm.length) });
const time = async (f: () => Promise<unknown>) => { const t0 = performance.now(); await f(); return (performance.now() - t0) / 1000; };
await model.transcribe(audio.pcm, p(2));
for (let r = 0; r < 4; r++) {
  const one = await time(() => model.transcribe(audio.pcm, p(2)));
  const par = await time(() => Promise.all([model.transcribe(audio.pcm, p(1)), model.transcribe(audio.pcm, p(1))]));
  const one1 = await time(() => model.transcribe(audio.pcm, p(1)));
  console.log(`one@2t ${one.toFixed(2)}  one@1t ${one1.toFixed(2)}  two@1t-parallel ${par.toFixed(2)}  → per chunk parallel/seq ${(par / 2 / one).toFixed(2)}`);
}
