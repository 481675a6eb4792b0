/**
 * Short clips, encode only what they need: WER, words lost at the clip's end, and time of the
 * audio_ctx policies (src/services/short-window.ts) on the English clips with exact references
 * under 28 s, at the server's defaults (beam 5, VAD auto). Args: [threads=2].
 */
import type { DecodeParams, LoadedModel } from '../src/engine/types.js';
import { createWhisperEngine } from '../src/engine/whisper.js';
import { shortWindowFrames, type ShortWindowPolicy } from '../src/engine/short-window.js';
import { AUTO_VAD } from '../src/services/transcription.js';
import { requireModel } from '../test/support/paths.js';
import { loadavg } from './lib/load.js';
import { Report } from './lib/report.js';
import { fmt, table } from './lib/stats.js';
import { runWerSuite, werConfig } from './lib/wer-suite.js';

const POLICIES: [string, ShortWindowPolicy | undefined][] = [
  ['full 30 s window', undefined],
  ['clip + 1 s, no floor', { floorSeconds: 0, marginSeconds: 1 }],
  ['floor 5 s, margin 2 s', { floorSeconds: 5, marginSeconds: 2 }],
  ['floor 10 s, margin 2 s', { floorSeconds: 10, marginSeconds: 2 }],
  ['floor 15 s, margin 2 s', { floorSeconds: 15, marginSeconds: 2 }],
];

export async function main(args: string[]): Promise<string> {
  const threads = Number(args[0] ?? 2);
  const engine = createWhisperEngine({ defaultThreads: threads, logVerbosity: 0 });
  await engine.loadVad!(requireModel('silero-v6.2.0'));
  const models = new Map<string, Promise<LoadedModel>>();
  const model = (name: string) => () => {
    if (!models.has(name)) models.set(name, engine.loadModel(requireModel(name), { name }));
    return models.get(name)!;
  };
  const base: DecodeParams = { beamSize: 5, bestOf: 5, threads, language: 'en', vad: AUTO_VAD };
  const configs = ['tiny.en', 'tiny.en-q8_0'].flatMap((name) =>
    POLICIES.map(([label, policy]) =>
      werConfig(`${name}, ${label}`, model(name), (pcm) => ({ ...base, audioCtx: policy && shortWindowFrames(pcm.length, policy) })),
    ),
  );
  const load = loadavg()[0];
  const { clips, audioSeconds } = await runWerSuite(configs, (r) => r.duration < 28);
  const full = (name: string) => configs.find((c) => c.name === `${name.split(',')[0]}, full 30 s window`)!;
  return new Report('Short window: audio_ctx sized to the clip')
    .add(
      `${clips} English clips under 28 s with exact references (${fmt(audioSeconds, 1)} s of audio), beam 5 / best_of 5, VAD auto, ${threads} threads; ` +
        `time = sum of transcribe() (PCM in, model loaded), clips alternating between configurations; load ${load}→${loadavg()[0]}.`,
    )
    .add(
      table(
        ['configuration', 'WER', 'last word lost in', 'time s', 'time ÷ full window'],
        configs.map((c) => [c.name, `${fmt((100 * c.errors) / c.words, 2)} %`, c.lostEnd.join(', ') || 'none', fmt(c.seconds, 2), `${fmt(c.seconds / full(c.name).seconds, 2)}×`]),
      ),
    )
    .toString();
}
