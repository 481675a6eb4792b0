/**
 * faster-whisper agreement: every English clip with an exact reference, transcribed by our engine
 * (models/ggml-tiny.en.bin) and by faster-whisper on the CT2 tiny.en it was imported from.
 * Agreement = 1 − WER(faster-whisper output as reference, engine output), after the shared
 * normaliser (test/support/wer.ts). Also each side's WER against the human references.
 * Default setting: greedy, temperature 0, no fallback on both sides. Arg "fallback": both sides
 * with their default fallback 0 → 1 step 0.2.
 */
import { startEngineWorker } from './lib/engine-client.js';
import { audioPath } from './lib/env.js';
import { startFw } from './lib/faster-whisper.js';
import { Report } from './lib/report.js';
import { GREEDY, GREEDY_NO_FALLBACK } from './lib/settings.js';
import { fmt, table } from './lib/stats.js';
import { references } from '../test/support/paths.js';
import { normalize, wordErrors } from '../test/support/wer.js';

const pct = (x: number) => `${fmt(x * 100, 1)} %`;

/** The stretch between the common prefix and the common suffix, with 3 words of context. */
function differingSpan(a: string[], b: string[]): string {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const span = (w: string[]) => w.slice(Math.max(0, pre - 3), Math.min(w.length, w.length - suf + 3)).join(' ');
  return `engine «…${span(a)}…» vs faster-whisper «…${span(b)}…»`;
}

export async function main(args: string[]): Promise<string> {
  const d = args.includes('fallback') ? GREEDY : GREEDY_NO_FALLBACK;
  const clips = references().filter((r) => r.language === 'en' && r.quality === 'exact');
  const engine = await startEngineWorker();
  const sides = { int8: await startFw('int8', 2), float32: await startFw('float32', 2) };
  const totals = { words: 0, refWords: 0, engineErr: 0, int8: { agreeErr: 0, refErr: 0, words: 0 }, float32: { agreeErr: 0, refErr: 0, words: 0 } };
  const rows: string[][] = [];
  const diffs: string[] = [];
  try {
    for (const clip of clips) {
      const file = audioPath(clip.file);
      const ours = (await engine.transcribe(file, 2, d)).text;
      const ref = normalize(clip.text);
      const mine = normalize(ours);
      const engineErr = wordErrors(ref, mine);
      totals.refWords += ref.length;
      totals.engineErr += engineErr;
      const row = [clip.file, String(ref.length), pct(engineErr / ref.length)];
      for (const kind of ['int8', 'float32'] as const) {
        const theirs = normalize((await sides[kind].transcribe(file, d)).text);
        const agreeErr = wordErrors(theirs, mine);
        const refErr = wordErrors(ref, theirs);
        const t = totals[kind];
        t.agreeErr += agreeErr;
        t.refErr += refErr;
        t.words += theirs.length;
        row.push(pct(refErr / ref.length), pct(1 - agreeErr / Math.max(1, theirs.length)));
        if (agreeErr > 0) diffs.push(`- ${clip.file}, ${kind}: ${differingSpan(mine, theirs)}`);
      }
      rows.push(row);
      console.error(`  ${clip.file}: ${row.slice(2).join(' / ')}`);
    }
  } finally {
    await Promise.all([engine.close(), sides.int8.close(), sides.float32.close()]);
  }
  rows.push([
    '**all**', String(totals.refWords), pct(totals.engineErr / totals.refWords),
    pct(totals.int8.refErr / totals.refWords), pct(1 - totals.int8.agreeErr / totals.int8.words),
    pct(totals.float32.refErr / totals.refWords), pct(1 - totals.float32.agreeErr / totals.float32.words),
  ]);
  return new Report(`faster-whisper agreement (${d.name})`)
    .add(
      `${clips.length} English clips with exact references; tiny.en on both sides (ggml f16 import vs CT2 original), ${d.name}, language en, 2 threads, ` +
        `faster-whisper with vad off, word timestamps off, condition_on_previous_text=True. Normalised with test/support/wer.ts.`,
      table(['clip', 'ref words', 'engine WER', 'fw int8 WER', 'agreement engine↔int8', 'fw float32 WER', 'agreement engine↔float32'], rows),
      diffs.length ? `Where they differ:\n${diffs.join('\n')}` : 'Engine and faster-whisper agree word for word on every clip.',
    )
    .toString();
}
