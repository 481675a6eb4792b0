/**
 * Where a long file's chunks are cut, and what that costs in words: the chunk plan at the server's
 * defaults (as many chunks as decode at once on this machine, cut in the longest pauses) and with one
 * state (LONG_FORM_WORKERS=1), each chunk started with its lead-in, decoded greedy in-process (as the
 * server's long-form path), on the 80 s clip, the exact clips joined, and `held-out` random joins of
 * the same clips (bench/lib/long-files.ts). Per file: the word errors, the chunks, and the makespan
 * (seconds of audio the busiest state decodes when the chunks are shared out longest first).
 *   npm run bench -- chunk-plan [held-out=6]
 */
import { availableParallelism } from 'node:os';
import { createFfmpegDecoder } from '../src/audio/ffmpeg.js';
import { chunkParallelism, decodeOrder, planChunks, withLeadIn } from '../src/engine/chunk-plan.js';
import { transcribeChunks } from '../src/engine/long-form.js';
import type { SpeechSpan } from '../src/engine/types.js';
import { createWhisperEngine } from '../src/engine/whisper.js';
import { AUTO_VAD } from '../src/services/transcription.js';
import { references, requireModel } from '../test/support/paths.js';
import { normalize, wordErrors } from '../test/support/wer.js';
import { audioPath, CLIPS } from './lib/env.js';
import { loadavg } from './lib/load.js';
import { exactClipsFile, shuffledJoins } from './lib/long-files.js';
import { Report } from './lib/report.js';
import { fmt, table } from './lib/stats.js';

/** Seconds of audio the busiest of `workers` states decodes, the chunks taken longest first. */
function makespan(chunks: SpeechSpan[], workers: number): number {
  const busy = new Array(workers).fill(0);
  for (const i of decodeOrder(chunks, false)) busy[busy.indexOf(Math.min(...busy))] += chunks[i].end - chunks[i].start;
  return Math.max(...busy);
}

export async function main(args: string[]): Promise<string> {
  const threads = availableParallelism();
  const { workers } = chunkParallelism(threads, Infinity);
  const engine = createWhisperEngine({ defaultThreads: threads, logVerbosity: 0 });
  const vad = await engine.loadVad!(requireModel('silero-v6.2.0'));
  const model = await engine.loadModel(requireModel('tiny.en'), { name: 'tiny.en' });
  const decoder = createFfmpegDecoder();
  const exact = exactClipsFile();
  const files = [
    { name: `${CLIPS.long.file} (80 s)`, file: audioPath(CLIPS.long.file), ref: references().find((r) => r.file === CLIPS.long.file)!.text },
    { name: 'the exact clips joined', file: exact.file, ref: exact.ref },
    ...shuffledJoins(Number(args[0] ?? 6)),
  ];
  const plans: [string, number][] = [[`defaults (${workers} states)`, workers], ['one state', 1]];
  const load = loadavg()[0];
  const rows: string[][] = [];
  const totals = plans.map(() => ({ errors: 0, makespan: 0 }));
  let words = 0;
  try {
    for (const f of files) {
      const { pcm, duration } = await decoder.decodeFile(f.file);
      const speech = await vad.detect(pcm, AUTO_VAD);
      const ref = normalize(f.ref);
      words += ref.length;
      for (const [p, [name, parts]] of plans.entries()) {
        const chunks = withLeadIn(planChunks(speech, duration, undefined, parts));
        const t = await transcribeChunks(model, pcm, chunks, { beamSize: 1, threads, language: 'en' }, {}, { threads, maxWorkers: parts });
        const errors = wordErrors(ref, normalize(t.text));
        const span = makespan(chunks, workers);
        totals[p].errors += errors;
        totals[p].makespan += span;
        rows.push([f.name, name, String(ref.length), String(errors), chunks.map((c) => `${fmt(c.start, 1)}–${fmt(c.end, 1)}`).join(', '), fmt(span, 1)]);
        console.error(rows.at(-1)!.join(' | '));
      }
    }
  } finally {
    await model.free();
    await vad.free();
  }
  for (const [p, [name]] of plans.entries()) rows.push(['**all files**', name, String(words), `**${totals[p].errors}**`, '', fmt(totals[p].makespan, 1)]);
  return new Report('Chunk plans: where a long file is cut, and the word errors (tiny.en, greedy, in-process)')
    .add(`${threads} threads, ${workers} states at the defaults; load ${load}→${loadavg()[0]}.`, table(['file', 'plan', 'words', 'errors', 'chunks (s, with lead-in)', `makespan on ${workers} states (s of audio)`], rows))
    .toString();
}
