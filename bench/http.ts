/**
 * HTTP server vs in-process engine on the 80 s clip: `npm start` on 127.0.0.1 (ephemeral port,
 * POOL_CONCURRENCY 1, THREADS_PER_REQUEST = cores, BEAM_SIZE 5 = its default) receiving
 * POST /v1/audio/transcriptions (multipart via fetch/FormData), against the same engine build in
 * a worker (same threads and decoding), timed with and without the ffmpeg decode, and against
 * whisper-server's /inference on the same weights and threads.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEngineWorker } from './lib/engine-client.js';
import { audioPath, CLIPS, REPS, repoRoot } from './lib/env.js';
import { interleave, type Contender } from './lib/interleave.js';
import { waitForQuiet } from './lib/load.js';
import { Report } from './lib/report.js';
import { BEAM5 } from './lib/settings.js';
import { fmt, median, table } from './lib/stats.js';
import { startServer } from './lib/whisper-cpp.js';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function startOurServer(threads: number) {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: repoRoot,
    detached: true, // its own process group: npm → tsx → node (→ relaunched child)
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DEFAULT_MODEL: 'tiny.en',
      PRELOAD_MODELS: 'tiny.en',
      POOL_CONCURRENCY: '1',
      // Like for like with the in-process engine, which decodes the whole file (no Silero pass).
      VAD_FILTER: 'off',
      THREADS_PER_REQUEST: String(threads),
      BEAM_SIZE: String(BEAM5.beamSize),
      BEST_OF: String(BEAM5.bestOf),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error('npm start exited early');
    if (await fetch(`${url}/ready`).then((r) => r.ok, () => false)) break;
    if (i > 600) throw new Error('server not ready in 60 s');
    await sleep(100);
  }
  const close = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch (err) {
      console.error(`our server was already gone (${(err as Error).message}); exit code ${child.exitCode}`);
    }
  };
  return { url, close };
}

export async function main(): Promise<string> {
  const threads = availableParallelism();
  const file = audioPath(CLIPS.long.file);
  const bytes = await readFile(file);
  const ours = await startOurServer(threads);
  const engine = await startEngineWorker();
  const wcpp = await startServer(threads, 18_095);
  const post = async () => {
    const form = new FormData();
    form.set('file', new Blob([bytes], { type: 'audio/wav' }), CLIPS.long.file);
    form.set('model', 'tiny.en');
    form.set('language', 'en');
    form.set('temperature', '0');
    form.set('response_format', 'json');
    const t0 = performance.now();
    const res = await fetch(`${ours.url}/v1/audio/transcriptions`, { method: 'POST', body: form, signal: AbortSignal.timeout(600_000) });
    const body = await res.json();
    if (!res.ok) throw new Error(`our server: ${res.status} ${JSON.stringify(body)}`);
    return (performance.now() - t0) / 1000;
  };
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
