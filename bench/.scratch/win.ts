import { createWhisperEngine } from '../../src/engine/whisper.js';
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { transcribeLongForm } from '../../src/engine/long-form.js';
import { references } from '../../test/support/paths.js';
import { wer } from '../../test/support/wer.js';
import { exactClipsFile } from '../lib/long-files.js';
const engine = createWhisperEngine({ logVerbosity: 0 });
const model = await engine.loadModel('models/ggml-tiny.en.bin', { name: 'tiny.en' });
const vad = await engine.loadVad!('models/ggml-silero-v6.2.0.bin');
const files = [{ f: 'test/fixtures/audio/long_concat_en_16k.wav', ref: references().find((r) => r.file === 'long_concat_en_16k.wav')!.text }, { f: exactClipsFile().file, ref: exactClipsFile().ref }];
const full = { ...model, transcribe: (pcm: Float32Array, p: any, h: any) => model.transcribe(pcm, { ...p, audioCtx: undefined }, h) };
const beam = Number(process.env.BEAM ?? 5);
for (const { f, ref } of files) {
  const audio = await createFfmpegDecoder().decodeFile(f, {});
  const speech = await vad.detect(audio.pcm, { threshold: 0.5, silenceDurationMs: 160, prefixPaddingMs: 400 } as any);
  for (let r = 0; r < 2; r++) for (const [name, m] of [['short', model], ['full', full], ['windows', null]] as const) {
    const t0 = performance.now();
    const t = m ? await transcribeLongForm(m, audio.pcm, speech, { beamSize: beam, bestOf: 5, threads: 2 }) : await model.transcribe(audio.pcm, { beamSize: beam, bestOf: 5, threads: 2, vad: { threshold: 0.5, silenceDurationMs: 160, prefixPaddingMs: 400 } as any });
    console.log(f.split('/').at(-1), name.padEnd(8), ((performance.now() - t0) / 1000).toFixed(2), 's WER', (100 * wer(ref, t.text)).toFixed(2));
  }
}
