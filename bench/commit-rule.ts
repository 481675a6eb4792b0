/**
 * When may a streamed word be sent? `npm run bench -- commit-rule [step...]`. Offline and
 * deterministic: each English clip with an exact reference (up to 30 s, one manual turn) is decoded
 * as the realtime path decodes a growing turn (the same transcription service, greedy, word
 * timestamps, the short window, partials without the temperature fallback), from REALTIME_FIRST_DECODE_MS on, every `step` seconds of audio
 * (default 0.2, 0.3, 0.5, 1 and 2: the cadences of the `delay` settings, src/realtime/cadence.ts; a
 * loaded machine or faster-than-real-time audio spaces the decodes further apart; a rule may ask for a shorter
 * step until its first word is sent). Every agreement rule then replays the same decodes, and the
 * turn ends with the final decode of the whole clip, as a manual commit does.
 * Where the decodes fall decides which guesses two of them share, so each clip is replayed at
 * BENCH_PHASES (default 5) phases: the first decode `step / phases` later each time.
 * Clips without an exact reference (noisy, several speakers: the held-out set) are replayed too, and
 * scored against their own final decode: the words streaming sent that the upload reads otherwise.
 * Per rule: WER of the sent words against the reference (and the upload's WER, the floor), how late
 * a word is sent (audio seconds from its end to the end of the decode that sent it, or to the turn's
 * end for the words only the final decode sent), and when the first word is sent.
 */
import { existsSync } from 'node:fs';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { LocalAgreement, toTimed, type AgreementRule, type TimedWord } from '../src/realtime/agreement.js';
import { createFfmpegDecoder } from '../src/audio/ffmpeg.js';
import { SAMPLE_RATE } from '../src/engine/types.js';
import { audioPath } from './lib/env.js';
import { Report } from './lib/report.js';
import { fmt, median, table } from './lib/stats.js';
import { references } from '../test/support/paths.js';
import { normalize, wordErrors } from '../test/support/wer.js';

/** A rule, and optionally a shorter step until the turn's first word is sent (Cadence.firstWordsIntervalMs, in seconds). */
type Replayed = AgreementRule & { firstWordsStep?: number };

const RULES: Record<string, Replayed> = {
  'LA-2': {},
  'LA-2, holdback 0.3 s': { holdback: 0.3 },
  'LA-2, holdback 0.5 s': { holdback: 0.5 },
  'LA-2, holdback 0.8 s': { holdback: 0.8 },
  'margin 0.3 s (delay minimal)': { margin: 0.3 },
  'margin 0.6 s (delay low)': { margin: 0.6 },
  'LA-2, word probability ≥ 0.4': { minProbability: 0.4 },
  'LA-2, word probability ≥ 0.5 (delay high)': { minProbability: 0.5 },
  'LA-2, word probability ≥ 0.6': { minProbability: 0.6 },
  'LA-2, step 0.25 s until the first word': { firstWordsStep: 0.25 },
  'LA-2, word probability ≥ 0.5, step 0.25 s until the first word (the default)': { minProbability: 0.5, firstWordsStep: 0.25 },
};

const PHASES = Number(process.env.BENCH_PHASES ?? 5);
/** Held-out clips without an exact reference, scored against their own final decode. */
const UNREFERENCED = ['fw_hotwords.mp3', 'fw_stereo_diarization.wav', 'picovoice_falcon_3speakers.wav'];

interface Totals {
  errors: number;
  /** Words sent that the final decode reads otherwise, on the unreferenced clips. */
  drift: number;
  /** Words sent by a partial: how late. */
  lags: number[];
  /** Every word, those only the final decode sent included (sent at the turn's end). */
  allLags: number[];
  firsts: number[];
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
    `${clips.length} English clips (${clips.map((c) => c.file).join(', ')}), and held out without an exact reference ${UNREFERENCED.join(', ')}; tiny.en, greedy, the short window; partial decodes from ${first} s of audio on, every \`step\` s (or, where a rule says so, every 0.25 s until its first word is sent); the final decode of the whole clip at the commit. "late" = audio seconds from a word's end to the end of the decode that sent it (median over the words partials sent; p90 over every word, a word only the final decode sent counting as sent at the turn's end); "first" = audio seconds before the first word is sent (median over clips and phases); "held-out: sent ≠ upload" = word errors of the sent text against the held-out clip's own final decode.`,
  );
  const unreferenced = UNREFERENCED.filter((f) => existsSync(audioPath(f)));
  const decoded = new Map<string, Float32Array>();
  const pcmOf = async (file: string) => decoded.get(file) ?? decoded.set(file, (await decoder.decodeFile(audioPath(file))).pcm).get(file)!;
  try {
    for (const step of steps) {
      const totals = new Map<string, Totals>(Object.keys(RULES).map((k) => [k, { errors: 0, drift: 0, lags: [], allLags: [], firsts: [] }]));
      let refWords = 0;
      let uploadErrors = 0;
      let driftWords = 0;
      const diffs: string[] = [];
      const replay = async (file: string, ref: string[] | undefined) => {
        const pcm = await pcmOf(file);
        const seconds = pcm.length / SAMPLE_RATE;
        const final = await decodeWords(pcm, false);
        const upload = normalize(final.map((w) => w.word).join(' '));
        // The floor: what the final decode alone gets wrong (nothing, where the upload is the reference).
        const uploadMisses = ref ? wordErrors(ref, upload) : 0;
        // Partial decodes by the audio they saw (ms), shared by every rule that asks for the same prefix.
        const decodes = new Map<number, TimedWord[]>();
        const partialAt = async (t: number) => {
          const ms = Math.round(t * 1000);
          if (!decodes.has(ms)) decodes.set(ms, await decodeWords(pcm.subarray(0, Math.round((ms / 1000) * SAMPLE_RATE)), true));
          return decodes.get(ms)!;
        };
        for (let phase = 0; phase < PHASES; phase++) {
          if (ref) {
            refWords += ref.length;
            uploadErrors += uploadMisses;
          } else driftWords += upload.length;
          for (const [name, rule] of Object.entries(RULES)) {
            const agreement = new LocalAgreement(rule);
            const sums = totals.get(name)!;
            let firstAt: number | undefined;
            for (let t = first + (phase * step) / PHASES; t < seconds; t += firstAt === undefined ? (rule.firstWordsStep ?? step) : step) {
              const fresh = agreement.insert(await partialAt(t), t);
              for (const w of fresh) sums.lags.push(t - w.end), sums.allLags.push(t - w.end);
              if (fresh.length && firstAt === undefined) firstAt = t;
            }
            for (const w of agreement.flush(final)) sums.allLags.push(Math.max(0, seconds - w.end));
            sums.firsts.push(firstAt ?? seconds);
            const sent = normalize(agreement.committedText);
            const errors = wordErrors(ref ?? upload, sent);
            if (ref) sums.errors += errors;
            else sums.drift += errors;
            if (errors > uploadMisses) diffs.push(`- step ${step} s, phase ${phase}, ${name}, ${file}: «${sent.join(' ')}»`);
          }
        }
      };
      for (const clip of clips) await replay(clip.file, normalize(clip.text));
      for (const file of unreferenced) await replay(file, undefined);
      const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)] ?? 0;
      const rows = [...totals].map(([name, s]) => [
        name,
        `${fmt((s.errors / refWords) * 100, 2)} %`,
        `${fmt(s.errors / uploadErrors, 2)}×`,
        `${fmt((s.drift / Math.max(1, driftWords)) * 100, 2)} %`,
        `${fmt(median(s.lags), 2)} s`,
        `${fmt(p90(s.allLags), 2)} s`,
        `${fmt(median(s.firsts), 2)} s`,
      ]);
      report.add(
        `### step ${step} s (upload WER ${fmt((uploadErrors / refWords) * 100, 2)} %, ${refWords / PHASES} words × ${PHASES} phases; ${unreferenced.length} held-out clips, ${driftWords / PHASES} words)`,
        table(['rule', 'streamed WER', '÷ upload', 'held-out: sent ≠ upload', 'late (median, partials)', 'late p90 (every word)', 'first word (median)'], rows),
        diffs.length ? `<details><summary>Sent text worse than the upload's (${diffs.length})</summary>\n\n${diffs.join('\n')}\n</details>` : 'No clip read worse than its upload.',
      );
    }
  } finally {
    await app.close();
  }
  return report.toString();
}
