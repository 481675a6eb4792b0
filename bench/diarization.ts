/**
 * Diarization accuracy and cost (issue 17). Files: the 4-speaker mix the tests build from
 * test/fixtures/audio clips, and picovoice_falcon_3speakers.wav with its reference turns.
 * Accuracy: time-weighted speaker accuracy under the best label mapping (0.25 s collar).
 * Cost: diarization time against tiny.en transcription of the same file (beam 5 / best_of 5,
 * the server's defaults, and greedy), medians of interleaved runs at the same thread count.
 * Then a sweep of the clustering threshold, which is how the default was chosen.
 * Args: [threads=2] [reps=3].
 */
import { createFfmpegDecoder } from '../src/audio/ffmpeg.js';
import { DEFAULT_TUNING } from '../src/diarization/diarizer.js';
import { loadDiarizer } from '../src/diarization/load.js';
import { speakerAccuracy } from '../src/diarization/score.js';
import type { SpeakerTurn } from '../src/diarization/types.js';
import { createWhisperEngine } from '../src/engine/whisper.js';
import { FOUR_SPEAKER_MIX, KNOWN_REFERENCES, buildMix, falconReference, referencePcm } from '../test/diarization/mix.js';
import { audioPath, repoRoot, requireModel } from '../test/support/paths.js';
import { Report } from './lib/report.js';
import { fmt, median, table } from './lib/stats.js';

export async function main(args: string[]): Promise<string> {
  const threads = Number(args[0] ?? 2);
  const reps = Number(args[1] ?? 3);
  const modelsDir = `${repoRoot}/models`;
  const diarizer = await loadDiarizer(modelsDir, { threads });
  if (!diarizer) throw new Error('diarization models missing: npm run models -- import-diarization');
  const engine = createWhisperEngine({ defaultThreads: threads, logVerbosity: 0 });
  const tiny = await engine.loadModel(requireModel('tiny.en'), { name: 'tiny.en' });
  const mix = await buildMix(FOUR_SPEAKER_MIX);
  const falcon = { pcm: (await createFfmpegDecoder().decodeFile(audioPath('picovoice_falcon_3speakers.wav'))).pcm, turns: await falconReference() };
  const files = [
    { name: 'mix: 4 speakers, 6 turns (LibriSpeech 1272 ×2, LJSpeech ×2, JFK, LibriSpeech 2412)', ...mix },
    { name: 'picovoice_falcon_3speakers.wav', ...falcon },
  ];
  const report = new Report(`Diarization: accuracy and cost (${threads} threads)`);

  const rows: (string | number)[][] = [];
  for (const f of files) {
    const diar: number[] = [];
    const beam: number[] = [];
    const greedy: number[] = [];
    let turns: SpeakerTurn[] = [];
    for (let r = 0; r < reps + 1; r++) {
      // Interleaved, one warm-up round dropped: load from the other engineers' work hits all alike.
      let t = performance.now();
      turns = await diarizer.diarize(f.pcm);
      const d = performance.now() - t;
      t = performance.now();
      await tiny.transcribe(f.pcm, { language: 'en', threads, beamSize: 5, bestOf: 5 });
      const b = performance.now() - t;
      t = performance.now();
      await tiny.transcribe(f.pcm, { language: 'en', threads });
      const g = performance.now() - t;
      if (r > 0) [diar.push(d), beam.push(b), greedy.push(g)];
    }
    const s = speakerAccuracy(f.turns, turns);
    const [md, mb, mg] = [median(diar), median(beam), median(greedy)];
    rows.push([f.name, (f.pcm.length / 16000).toFixed(1), `${(100 * s.accuracy).toFixed(1)} %`, `${s.hypSpeakers} / ${s.refSpeakers}`, fmt(md / 1000), fmt(mb / 1000), fmt(mg / 1000), (md / mb).toFixed(2), (md / mg).toFixed(2)]);
  }
  report.add(table(['file', 'audio s', 'speaker accuracy', 'speakers found / true', 'diarize s', 'tiny.en beam 5 s', 'tiny.en greedy s', 'cost ÷ beam 5', 'cost ÷ greedy'], rows));

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
    const d = (await loadDiarizer(modelsDir, { threads, tuning: { clusterThreshold: th } }))!;
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
