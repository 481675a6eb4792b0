/**
 * Accuracy and speed of the file-transcription levers on the shared English clips with exact
 * references (test/fixtures/audio/transcripts.tsv): VAD off vs VAD_FILTER=auto, and quantised weights
 * (q8_0 / q5_0 / q4_0 from whisper.cpp 1.9.1's own whisper-quantize, when BENCH_QUANT_DIR holds
 * ggml-tiny.en-<type>.bin). Beam 5, best_of 5, the server's defaults. Contenders alternate clip by
 * clip (the first rotates), so load changes hit all of them alike. Args: [threads=2].
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createWhisperEngine } from '../src/engine/whisper.js';
import type { DecodeParams, LoadedModel } from '../src/engine/types.js';
import { AUTO_VAD } from '../src/services/transcription.js';
import { requireModel } from '../test/support/paths.js';
import { Report } from './lib/report.js';
import { fmt, table } from './lib/stats.js';
import { runWerSuite, werConfig, type WerConfig } from './lib/wer-suite.js';

export async function main(args: string[]): Promise<string> {
  const threads = Number(args[0] ?? 2);
  const engine = createWhisperEngine({ defaultThreads: threads, logVerbosity: 0 });
  await engine.loadVad!(requireModel('silero-v6.2.0'));
  const loaded = new Map<string, Promise<LoadedModel>>();
  const model = (file: string, name: string) => () => {
    if (!loaded.has(file)) loaded.set(file, engine.loadModel(file, { name }));
    return loaded.get(file)!;
  };
  const base: DecodeParams = { beamSize: 5, bestOf: 5, threads, language: 'en' };
  const configs: WerConfig[] = [];
  const add = (name: string, m: () => Promise<LoadedModel>, params: DecodeParams) => configs.push(werConfig(name, m, () => params));
  for (const name of ['tiny.en', 'base']) {
    const file = requireModel(name);
    add(`${name} f16, VAD off`, model(file, name), base);
    add(`${name} f16, VAD auto`, model(file, name), { ...base, vad: AUTO_VAD });
  }
  const quantDir = process.env.BENCH_QUANT_DIR;
  for (const q of ['q8_0', 'q5_0', 'q4_0']) {
    const file = quantDir && path.join(quantDir, `ggml-tiny.en-${q}.bin`);
    if (file && existsSync(file)) add(`tiny.en ${q}, VAD off`, model(file, `tiny.en-${q}`), base);
  }
  const { clips, audioSeconds } = await runWerSuite(configs);
  const baseline = (model: string) => configs.find((c) => c.name === `${model} f16, VAD off`)!;
  return new Report('VAD filter and quantised weights: WER and speed')
    .add(`${clips} English clips with exact references (${fmt(audioSeconds, 1)} s of audio), beam 5 / best_of 5, ${threads} threads, ` +
      `VAD auto = Silero with threshold ${AUTO_VAD.threshold}, padding ${AUTO_VAD.prefixPaddingMs} ms, min silence ${AUTO_VAD.silenceDurationMs} ms, min speech ${AUTO_VAD.minSpeechMs} ms. ` +
      `Time = sum of transcribe() over the clips (decoded PCM in, model loaded).`)
    .add(table(['configuration', 'WER', 'words', 'time s', 'time ÷ same model f16 VAD off'], configs.map((c) => {
      const b = baseline(c.name.split(' ')[0]);
      return [c.name, `${fmt((100 * c.errors) / c.words, 2)} %`, c.words, fmt(c.seconds, 2), `${fmt(c.seconds / b.seconds, 2)}×`];
    })))
    .toString();
}
