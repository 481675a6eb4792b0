/** Starts an engine worker (engine-worker.ts) in a child process and talks to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { repoRoot, tinyEn } from './env.js';
import type { Decoding } from './settings.js';

export type WorkerRequest =
  | { op: 'load' }
  | { op: 'rss'; gc?: boolean }
  | { op: 'transcribe'; file: string; threads: number; beamSize: number; bestOf: number; fallback: boolean; includeDecode?: boolean };

export interface TranscribeReply {
  seconds: number;
  computeSeconds: number;
  text: string;
}

export interface EngineWorker {
  readonly pid: number;
  transcribe(file: string, threads: number, d: Decoding, includeDecode?: boolean): Promise<TranscribeReply>;
  rss(gc?: boolean): Promise<number>;
  /** RSS plus V8's own view (heapTotal, external), MiB. */
  memory(gc?: boolean): Promise<{ rss: number; heapTotal: number; external: number }>;
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** A variant's smart-whisper.node; the installed build when absent. */
  addon?: string;
  concurrency?: number;
  /** Another ggml file than models/ggml-tiny.en.bin (e.g. a q8_0 import). */
  model?: string;
}

const CALL_TIMEOUT_MS = 600_000;

export async function startEngineWorker(opts: WorkerOptions = {}): Promise<EngineWorker> {
  const concurrency = opts.concurrency ?? 1;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BENCH_MODEL: opts.model ?? tinyEn(),
    POOL_CONCURRENCY: String(concurrency),
    // One threadpool thread per running transcription, plus 4 for fs/ffmpeg (as src/config.ts).
    UV_THREADPOOL_SIZE: String(concurrency + 4),
  };
  if (opts.addon) env.WHISPER_ADDON_PATH = opts.addon;
  else delete env.WHISPER_ADDON_PATH;
  const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', tsx, path.join(repoRoot, 'bench/lib/engine-worker.ts')], {
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let next = 0;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line);
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) p?.reject(new Error(msg.error));
    else p?.resolve(msg);
  });
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`engine worker exited (${code})`));
  });
  const call = (req: WorkerRequest): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = next++;
      // Bounded: a wedged worker fails the benchmark instead of hanging it.
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`engine worker: no reply to ${req.op} in ${CALL_TIMEOUT_MS / 1000} s`));
      }, CALL_TIMEOUT_MS);
      const done = <T,>(f: (v: T) => void) => (v: T) => (clearTimeout(timer), f(v));
      pending.set(id, { resolve: done(resolve), reject: done(reject) });
      child.stdin!.write(JSON.stringify({ id, ...req }) + '\n');
    });
  await call({ op: 'load' });
  return {
    pid: child.pid!,
    transcribe: (file, threads, d, includeDecode) =>
      call({ op: 'transcribe', file, threads, beamSize: d.beamSize, bestOf: d.bestOf, fallback: d.fallback, includeDecode }),
    rss: async (gc) => (await call({ op: 'rss', gc })).rss,
    memory: (gc) => call({ op: 'rss', gc }),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}
