/**
 * HTTP server vs in-process engine on the 80 s clip: `npm start` on 127.0.0.1 (ephemeral port,
 * POOL_CONCURRENCY 1, THREADS_PER_REQUEST = cores, BEAM_SIZE 5 = its default) receiving
 * POST /v1/audio/transcriptions (multipart via fetch/FormData), against the same engine build in
 * a worker (same threads and decoding), timed with and without the ffmpeg decode, and against
 * whisper-server's /inference on the same weights and threads.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { startEngineWorker } from './lib/engine-client.js';
import { audioPath, CLIPS, REPS, whisperCppServer } from './lib/env.js';
import { startOurServer } from './lib/our-server.js';
import { interleave, type Contender } from './lib/interleave.js';
import { waitForQuiet } from './lib/load.js';
import { Report } from './lib/report.js';
import { BEAM5 } from './lib/settings.js';
import { fmt, median, table } from './lib/stats.js';
import { startServer } from './lib/whisper-cpp.js';

export async function main(): Promise<string> {
  const threads = availableParallelism();
  whisperCppServer(); // a missing whisper-server fails here, before our server and the worker are started
  const file = audioPath(CLIPS.long.file);
  const bytes = await readFile(file);
  // Like for like with the in-process engine: one slot, the cores pinned, no Silero pass.
  const ours = await startOurServer({
    POOL_CONCURRENCY: '1',
    VAD_FILTER: 'off',
    THREADS_PER_REQUEST: String(threads),
    BEAM_SIZE: String(BEAM5.beamSize),
    BEST_OF: String(BEAM5.bestOf),
  });
  const engine = await startEngineWorker();
  const wcpp = await startServer(threads, 18_095);
  const post = async () => (await ours.transcribe(bytes, CLIPS.long.file, { language: 'en', temperature: '0', response_format: 'json' })).seconds;
  const contenders: Contender[] = [
    { name: 'HTTP: our server (npm start)', run: post },
    { name: 'in-process engine, compute only', run: async () => (await engine.transcribe(file, threads, BEAM5)).computeSeconds },
    { name: 'in-process engine, ffmpeg decode + compute', run: async () => (await engine.transcribe(file, threads, BEAM5, true)).seconds },
    { name: 'HTTP: whisper-server /inference', run: async () => (await wcpp.infer(file, BEAM5)).seconds },
  ];
  try {
    const load = await waitForQuiet('http');
    const times = await interleave(contenders, REPS);
    const m = (name: string) => median(times.get(name)!);
    const http = m(contenders[0].name);
    const compute = m(contenders[1].name);
    const decoded = m(contenders[2].name);
    return new Report('HTTP server vs in-process engine')
      .add(
        `${CLIPS.long.file} (${CLIPS.long.seconds} s, 2.5 MB WAV upload), tiny.en, ${BEAM5.name}, language en, ${threads} threads, one request at a time, ` +
          `${REPS} interleaved repetitions after 1 warm-up — ${load}.`,
        table(
          ['path', 'median s', 'our HTTP ÷ this'],
          contenders.map((c) => [c.name, fmt(m(c.name)), `${fmt(http / m(c.name), 3)}×`]),
        ),
        `HTTP overhead: **${fmt(http / compute, 3)}×** over compute only, ${fmt(http / decoded, 3)}× over decode + compute ` +
          `(target ≤ 1.05×: ${http / compute <= 1.05 ? 'met' : 'missed'}).`,
      )
      .toString();
  } finally {
    ours.close();
    await Promise.all([engine.close(), wcpp.close()]);
  }
}
