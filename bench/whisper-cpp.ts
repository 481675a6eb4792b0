/**
 * Our engine vs whisper.cpp's own programs of the same version (1.9.1, built from the same pinned
 * source by `scripts/native/build-libwhisper.sh --tools`) on the same ggml file (tiny.en), same
 * threads, same decoding. whisper-cli is timed by its own whisper_print_timings (total − load, so model
 * load is excluded); whisper-server is warm and timed by the client around POST /inference
 * (so it also pays HTTP and WAV parsing). whisper.cpp runs with flash attention on (its default,
 * and the engine's) and off, to show that lever.
 * Args: thread counts (default 2 1), greedy/beam5, jfk/long (default: all).
 */
import { existsSync } from 'node:fs';
import { startEngineWorker, type EngineWorker } from './lib/engine-client.js';
import { audioPath, CLIPS, REPS, variantAddon } from './lib/env.js';
import { interleave, type Contender } from './lib/interleave.js';
import { waitForQuiet } from './lib/load.js';
import { Report } from './lib/report.js';
import { pickArgs } from './lib/settings.js';
import { fmt, median, table } from './lib/stats.js';
import { runCli, startServer } from './lib/whisper-cpp.js';
import { normalize, wordErrors } from '../test/support/wer.js';

export async function main(args: string[]): Promise<string> {
  const pick = pickArgs(args, ['jfk', 'long'] as const, [2, 1]);
  const threadCounts = pick.threads;
  const report = new Report('Engine vs whisper.cpp 1.9.1 (same source)').add(
    `Weights: models/ggml-tiny.en.bin for both. Language en, suppress non-speech tokens on both, entropy 2.4 / logprob −1 thresholds, ` +
      `${REPS} interleaved repetitions after 1 warm-up. engine = our in-process engine (installed build: x86-64-v3, OpenMP) timed around transcribe on decoded PCM; ` +
      `cli = whisper-cli, total − load from its own timings; server = warm whisper-server, client-side time of POST /inference (includes HTTP + WAV parse). ` +
      `FA = flash attention (on by default in whisper.cpp 1.9 and in the engine, FLASH_ATTN).`,
  );
  const engine = await startEngineWorker();
  // The flash-attention experiment build (bench/build-variants.ts), when it has been built.
  const faAddon = variantAddon('x86-64-v3-omp1-fa');
  const engineFa: EngineWorker | undefined = existsSync(faAddon) ? await startEngineWorker({ addon: faAddon }) : undefined;
  try {
    for (const threads of threadCounts) {
      const server = await startServer(threads, 18_080 + threads);
      try {
        for (const d of pick.decodings) {
          for (const clip of pick.clips.map((c) => CLIPS[c])) {
            const file = audioPath(clip.file);
            const load = await waitForQuiet(`whisper-cpp t${threads} ${d.name} ${clip.file}`);
            // Keep each contender's last text: same settings must give (nearly) the same words.
            const texts = new Map<string, string>();
            const keep = (name: string, seconds: number, text: string) => (texts.set(name, text), seconds);
            const contenders: Contender[] = [
              { name: 'engine', run: async () => { const r = await engine.transcribe(file, threads, d); return keep('engine', r.computeSeconds, r.text); } },
              ...(engineFa ? [{ name: 'engine + FA (experiment)', run: async () => { const r = await engineFa.transcribe(file, threads, d); return keep('engine + FA (experiment)', r.computeSeconds, r.text); } }] : []),
              { name: 'cli FA on', run: async () => { const r = await runCli(file, threads, d, true); return keep('cli FA on', r.computeSeconds, r.text); } },
              { name: 'cli FA off', run: async () => { const r = await runCli(file, threads, d, false); return keep('cli FA off', r.computeSeconds, r.text); } },
              { name: 'server FA on', run: async () => { const r = await server.infer(file, d); return keep('server FA on', r.seconds, r.text); } },
            ];
            const times = await interleave(contenders, REPS);
            const eng = median(times.get('engine')!);
            report.add(
              `### ${threads} thread(s), ${d.name}, ${clip.file} (${clip.seconds} s) — ${load}`,
              table(
                ['contender', 'median s', 'RTF', 'engine ÷ this', 'words', 'word agreement with engine'],
                contenders.map((c) => {
                  const m = median(times.get(c.name)!);
                  const ref = normalize(texts.get('engine')!);
                  const hyp = normalize(texts.get(c.name)!);
                  const agree = 1 - wordErrors(ref, hyp) / Math.max(1, ref.length);
                  return [c.name, fmt(m), fmt(m / clip.seconds, 4), `${fmt(eng / m, 2)}×`, hyp.length, `${fmt(agree * 100, 1)} %`];
                }),
              ),
            );
          }
        }
      } finally {
        await server.close();
      }
    }
  } finally {
    await Promise.all([engine.close(), engineFa?.close()]);
  }
  return report.toString();
}
