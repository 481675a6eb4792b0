/**
 * Diarization accuracy and cost (issue 17). Files: the 4-speaker mix the tests build from
 * test/fixtures/audio clips, and picovoice_falcon_3speakers.wav with its reference turns.
 * Accuracy: time-weighted speaker accuracy under the best label mapping (0.25 s collar).
 * Cost: diarization time against tiny.en transcription of the same file (beam 5 / best_of 5,
 * the server's defaults, and greedy), medians of interleaved runs at the same thread count.
 * CPU time (process.cpuUsage, all threads) is reported beside wall time: the machine is shared,
 * and CPU time is what load does not distort. Then a sweep of the clustering threshold, which is
 * how the default was chosen. Args: [whisper threads=2] [reps=3] [diarization threads=the default]
 * [GE2E partials per second=the embedder's default].
 */
import { createFfmpegDecoder } from '../src/audio/ffmpeg.js';
import { DEFAULT_TUNING } from '../src/diarization/diarizer.js';
import { loadDiarizer } from '../src/diarization/load.js';
import { speakerAccuracy } from '../src/diarization/score.js';
import type { SpeakerTurn } from '../src/diarization/types.js';
import { shortWindowFrames } from '../src/engine/short-window.js';
import { createWhisperEngine } from '../src/engine/whisper.js';
import { FOUR_SPEAKER_MIX, KNOWN_REFERENCES, buildMix, falconReference, referencePcm } from '../test/diarization/mix.js';
import { audioPath, repoRoot, requireModel } from '../test/support/paths.js';
import { Report } from './lib/report.js';
import { fmt, median, table } from './lib/stats.js';

export async function main(args: string[]): Promise<string> {
  const threads = Number(args[0] ?? 2);
  const reps = Number(args[1] ?? 3);
  const diarThreads = args[2] ? Number(args[2]) : undefined; // undefined: the loader's default
  const embeddingRate = args[3] ? Number(args[3]) : undefined; // undefined: the embedder's default
  const modelsDir = `${repoRoot}/models`;
  const diarizer = await loadDiarizer(modelsDir, { threads: diarThreads, embeddingRate });
  if (!diarizer) throw new Error('diarization models missing: npm run models -- import-diarization');
  const engine = createWhisperEngine({ defaultThreads: threads, logVerbosity: 0 });
  const tiny = await engine.loadModel(requireModel('tiny.en'), { name: 'tiny.en' });
  const mix = await buildMix(FOUR_SPEAKER_MIX);
  const falcon = { pcm: (await createFfmpegDecoder().decodeFile(audioPath('picovoice_falcon_3speakers.wav'))).pcm, turns: await falconReference() };
  const files = [
    { name: 'mix: 4 speakers, 6 turns (LibriSpeech 1272 ×2, LJSpeech ×2, JFK, LibriSpeech 2412)', ...mix },
    { name: 'picovoice_falcon_3speakers.wav', ...falcon },
  ];
  const report = new Report(`Diarization: accuracy and cost (whisper ${threads} threads, diarization ${diarThreads ?? 'default'} threads, GE2E partials ${embeddingRate ?? 'default'}/s)`);

  const rows: (string | number)[][] = [];
  for (const f of files) {
    const wall = { d: [] as number[], b: [] as number[], g: [] as number[] };
    const cpu = { d: [] as number[], b: [] as number[], g: [] as number[] };
    let turns: SpeakerTurn[] = [];
    const time = async (key: 'd' | 'b' | 'g', keep: boolean, fn: () => Promise<unknown>) => {
      const [t, c] = [performance.now(), process.cpuUsage()];
      await fn();
      const u = process.cpuUsage(c);
      if (keep) [wall[key].push(performance.now() - t), cpu[key].push((u.user + u.system) / 1000)];
    };
    for (let r = 0; r < reps + 1; r++) {
      // Interleaved, one warm-up round dropped: load from the other engineers' work hits all alike.
      await time('d', r > 0, async () => (turns = await diarizer.diarize(f.pcm)));
      // The short window for a file under 28 s, as the server decodes it (the mix is read in plain 30 s windows).
      const audioCtx = shortWindowFrames(f.pcm.length);
      await time('b', r > 0, () => tiny.transcribe(f.pcm, { language: 'en', threads, beamSize: 5, bestOf: 5, audioCtx }));
      await time('g', r > 0, () => tiny.transcribe(f.pcm, { language: 'en', threads, beamSize: 1, audioCtx }));
    }
    const s = speakerAccuracy(f.turns, turns);
    const m = (xs: number[]) => median(xs) / 1000;
    rows.push([
      f.name,
      (f.pcm.length / 16000).toFixed(1),
      `${(100 * s.accuracy).toFixed(1)} %`,
      `${s.hypSpeakers} / ${s.refSpeakers}`,
      `${fmt(m(wall.d))} / ${fmt(m(cpu.d))}`,
      `${fmt(m(wall.b))} / ${fmt(m(cpu.b))}`,
      `${fmt(m(wall.g))} / ${fmt(m(cpu.g))}`,
      `${(m(wall.d) / m(wall.b)).toFixed(2)} / ${(m(cpu.d) / m(cpu.b)).toFixed(2)}`,
      `${(m(wall.d) / m(wall.g)).toFixed(2)} / ${(m(cpu.d) / m(cpu.g)).toFixed(2)}`,
    ]);
  }
  report.add(
    'Times are wall s / CPU s (medians); ratios are wall / CPU.',
    '',
    table(['file', 'audio s', 'speaker accuracy', 'speakers found / true', 'diarize', 'tiny.en beam 5', 'tiny.en greedy', 'cost ÷ beam 5', 'cost ÷ greedy'], rows),
  );

  const known = await Promise.all(KNOWN_REFERENCES.map(async (r) => ({ name: r.name, pcm: await referencePcm(r) })));
  const named = await diarizer.diarize(mix.pcm, { knownSpeakers: known });
  const knownRows = KNOWN_REFERENCES.map((k) => {
    const refTurns = mix.turns.filter((t) => t.speaker === k.speaker);
    const ok = refTurns.filter((rt) => named.some((h) => h.speaker === k.name && h.start < rt.end && h.end > rt.start)).length;
    const stray = named.filter((h) => h.speaker === k.name && !refTurns.some((rt) => h.start < rt.end && h.end > rt.start)).length;
    return [k.name, `${ok} / ${refTurns.length}`, stray];
  });
  report.add('Known speakers on the mix (references from other clips of the same voices):', '', table(['name', 'its turns named', 'turns wrongly named'], knownRows));

  const sweep: (string | number)[][] = [];
  for (const th of [0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]) {
    const d = (await loadDiarizer(modelsDir, { threads: diarThreads, embeddingRate, tuning: { clusterThreshold: th } }))!;
    const cells = [];
    for (const f of files) {
      const s = speakerAccuracy(f.turns, await d.diarize(f.pcm));
      cells.push(`${(100 * s.accuracy).toFixed(1)} % (${s.hypSpeakers}/${s.refSpeakers})`);
    }
    sweep.push([th === DEFAULT_TUNING.clusterThreshold ? `**${th}** (default)` : th, ...cells]);
    await d.close();
  }
  report.add('Clustering threshold (centroid cosine similarity) against accuracy (speakers found/true):', '', table(['threshold', 'mix', 'falcon'], sweep));
  await diarizer.close();
  return report.toString();
}
