/**
 * When may a streamed word be sent? `npm run bench -- commit-rule [step...]`. Offline and
 * deterministic: each English clip with an exact reference (up to 30 s, one manual turn) is decoded
 * as the realtime path decodes a growing turn (the same transcription service, greedy, word
 * timestamps, the short window, partials without the temperature fallback), from REALTIME_FIRST_DECODE_MS on, every `step` seconds of audio
 * (default 0.2, 0.3, 0.5, 1 and 2: the cadences of the `delay` settings, src/realtime/cadence.ts; a
 * loaded machine or faster-than-real-time audio spaces the decodes further apart). Every agreement rule then replays the same decodes, and the
 * turn ends with the final decode of the whole clip, as a manual commit does.
 * Per rule: WER of the sent words against the reference (and the upload's WER, the floor), how late
 * a word is sent (audio seconds from its end to the end of the decode that sent it), and when the
 * first word is sent.
 */
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { AgreementRule } from '../src/realtime/agreement.js';
import { LocalAgreement, toTimed, type TimedWord } from '../src/realtime/agreement.js';
import { createFfmpegDecoder } from '../src/audio/ffmpeg.js';
import { SAMPLE_RATE } from '../src/engine/types.js';
import { audioPath } from './lib/env.js';
import { Report } from './lib/report.js';
import { fmt, median, table } from './lib/stats.js';
import { references } from '../test/support/paths.js';
import { normalize, wordErrors } from '../test/support/wer.js';

const RULES: Record<string, AgreementRule> = {
  'LA-2': {},
  'LA-2, holdback 0.3 s': { holdback: 0.3 },
  'LA-2, holdback 0.5 s': { holdback: 0.5 },
  'LA-2, holdback 0.8 s': { holdback: 0.8 },
  'margin 0.3 s (delay minimal)': { margin: 0.3 },
  'margin 0.6 s (delay low)': { margin: 0.6 },
};

interface Decode {
  audioEnd: number;
  words: TimedWord[];
}

export async function main(args: string[]): Promise<string> {
  const steps = args.length ? args.map(Number) : [0.2, 0.3, 0.5, 1, 2];
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const first = config.REALTIME_FIRST_DECODE_MS / 1000;
  const app = await buildApp(config);
  const transcription = app.services.transcription;
  const decoder = createFfmpegDecoder();
  // As the server's realtime path (app.ts): partials in one pass, the final with the temperature fallback.
  const decodeWords = async (pcm: Float32Array, partial: boolean) =>
    toTimed((await transcription.transcribePcm({ model: 'tiny.en', pcm, priority: 'live', wordTimestamps: true, beamSize: 1, shortWindow: true, fallback: !partial })).words);
  const clips = references().filter((r) => r.language === 'en' && r.quality === 'exact' && r.duration < 30 && !/jfk\.(mp3|flac)/.test(r.file));
  const report = new Report('Realtime commit rule (offline replay of one growing manual turn)');
  report.add(
    `${clips.length} English clips (${clips.map((c) => c.file).join(', ')}); tiny.en, greedy, the short window; partial decodes from ${first} s of audio on, every \`step\` s; the final decode of the whole clip at the commit. "late" = audio seconds from a word's end to the end of the decode that sent it (median over words); "first" = audio seconds before the first word is sent (median over clips).`,
  );
  try {
    for (const step of steps) {
      const totals = new Map<string, { errors: number; lags: number[]; firsts: number[] }>(Object.keys(RULES).map((k) => [k, { errors: 0, lags: [], firsts: [] }]));
      let refWords = 0;
      let uploadErrors = 0;
      const diffs: string[] = [];
      for (const clip of clips) {
        const pcm = (await decoder.decodeFile(audioPath(clip.file))).pcm;
        const ref = normalize(clip.text);
        refWords += ref.length;
        const partials: Decode[] = [];
        for (let t = first; t * SAMPLE_RATE < pcm.length; t += step) partials.push({ audioEnd: t, words: await decodeWords(pcm.subarray(0, Math.round(t * SAMPLE_RATE)), true) });
        const final = await decodeWords(pcm, false);
        uploadErrors += wordErrors(ref, normalize(final.map((w) => w.word).join(' ')));
        for (const [name, rule] of Object.entries(RULES)) {
          const agreement = new LocalAgreement(rule);
          const sums = totals.get(name)!;
          let firstAt: number | undefined;
          for (const p of partials) {
            const fresh = agreement.insert(p.words, p.audioEnd);
            for (const w of fresh) sums.lags.push(p.audioEnd - w.end);
            if (fresh.length && firstAt === undefined) firstAt = p.audioEnd;
          }
          agreement.flush(final);
          sums.firsts.push(firstAt ?? pcm.length / SAMPLE_RATE);
          const sent = normalize(agreement.committedText);
          const errors = wordErrors(ref, sent);
          sums.errors += errors;
          if (errors > wordErrors(ref, normalize(final.map((w) => w.word).join(' ')))) diffs.push(`- step ${step} s, ${name}, ${clip.file}: «${sent.join(' ')}»`);
        }
      }
      const rows = [...totals].map(([name, s]) => [name, `${fmt((s.errors / refWords) * 100, 2)} %`, `${fmt(s.errors / uploadErrors, 2)}×`, `${fmt(median(s.lags), 2)} s`, `${fmt(median(s.firsts), 2)} s`]);
      report.add(
        `### step ${step} s (upload WER ${fmt((uploadErrors / refWords) * 100, 2)} %, ${refWords} words)`,
        table(['rule', 'streamed WER', '÷ upload', 'late (median)', 'first word (median)'], rows),
        diffs.length ? `Sent text worse than the upload's:\n${diffs.join('\n')}` : 'No clip read worse than its upload.',
      );
    }
  } finally {
    await app.close();
  }
  return report.toString();
}
