/**
 * A child process holding our engine (one addon build, chosen by WHISPER_ADDON_PATH) and a model
 * pool over tiny.en. It answers JSON lines on stdin/stdout, so a benchmark can keep several
 * builds warm at once and interleave them. Times are measured here, around the pool call, with
 * the PCM already decoded: they are compute (plus queue wait under concurrency), not ffmpeg.
 */
import { createInterface } from 'node:readline';
import { createWhisperEngine } from '../../src/engine/whisper.js';
import { createModelPool } from '../../src/engine/pool.js';
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { loadBinding, type NativeModel } from '../../src/engine/native.js';
import { toNativeParams } from '../../src/engine/decode-params.js';
import { toTranscript } from '../../src/engine/transcript.js';
import { rssMiB } from './rss.js';
import type { WorkerRequest } from './engine-client.js';

const model = process.env.BENCH_MODEL!;
const pool = createModelPool({
  engine: createWhisperEngine({ logVerbosity: 0 }),
  resolve: (name) => ({ name, path: model, multilingual: false, sizeBytes: 0 }),
  concurrency: Number(process.env.POOL_CONCURRENCY ?? 1),
  maxQueue: 64,
});
const decoder = createFfmpegDecoder();
const pcmCache = new Map<string, Promise<Float32Array>>();
const pcmOf = (file: string) => {
  if (!pcmCache.has(file)) pcmCache.set(file, decoder.decodeFile(file).then((a) => a.pcm));
  return pcmCache.get(file)!;
};

/** Greedy without temperature fallback is not expressible through DecodeParams (temperature 0
 * always falls back), so that one setting calls the same binding with temperature_inc = 0. */
let raw: Promise<NativeModel> | undefined;
async function transcribeNoFallback(pcm: Float32Array, threads: number): Promise<string> {
  const native = loadBinding();
  raw ??= native.WhisperModel.load(model, false);
  const handle = (await raw).handle!;
  const vocab = native.modelInfo(handle);
  const params = { ...toNativeParams({ beamSize: 1, bestOf: 1, threads }, { multilingual: false, defaultThreads: threads }), temperature_inc: 0 };
  const r = await native.transcribe(handle, null, pcm, params, null);
  return toTranscript({ task: 'transcribe', language: r.language, duration: pcm.length / 16000, segments: r.segments, vocab, withWords: false }).text;
}

async function handle(req: WorkerRequest): Promise<Record<string, unknown>> {
  switch (req.op) {
    case 'load':
      await pool.load('tiny.en');
      return { rss: rssMiB() };
    case 'rss':
      if (req.gc && global.gc) global.gc();
      const mu = process.memoryUsage();
      const mib = (b: number) => b / 2 ** 20;
      // Native (whisper.cpp + malloc) ≈ RSS − V8 heap − buffers V8 accounts for.
      return { rss: rssMiB(), heapTotal: mib(mu.heapTotal), external: mib(mu.external) };
    case 'transcribe': {
      // includeDecode: time ffmpeg too (as the HTTP path pays it), from a fresh decode.
      const t0 = performance.now();
      const pcm = req.includeDecode ? (await decoder.decodeFile(req.file)).pcm : await pcmOf(req.file);
      let started = t0;
      const text = await pool.withModel('tiny.en', undefined, async (m) => {
        started = performance.now();
        if (!req.fallback) return transcribeNoFallback(pcm, req.threads);
        const t = await m.transcribe(pcm, { beamSize: req.beamSize, bestOf: req.bestOf, threads: req.threads, language: 'en' });
        return t.text;
      });
      const end = performance.now();
      return { seconds: (end - t0) / 1000, computeSeconds: (end - started) / 1000, text };
    }
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const req = JSON.parse(line) as WorkerRequest & { id: number };
  handle(req).then(
    (res) => process.stdout.write(JSON.stringify({ id: req.id, ...res }) + '\n'),
    (err) => process.stdout.write(JSON.stringify({ id: req.id, error: String(err?.stack ?? err) }) + '\n'),
  );
});
process.stdin.on('end', () => void pool.close().then(() => process.exit(0)));
