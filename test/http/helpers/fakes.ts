/**
 * Fakes for the engine layer: a pool with the real contract (FIFO slots, bounded queue, abort,
 * events) and a decoder that understands a tiny text format instead of audio. A "fake audio"
 * file is the text `FAKE <seconds>`; anything else is rejected like ffmpeg would.
 */
import fs from 'node:fs/promises';
import { expect } from 'vitest';
import type { AudioDecoder } from '../../../src/audio/types.js';
import type {
  DecodeParams,
  LoadedModel,
  ModelPool,
  PoolListener,
  PoolStats,
  Segment,
  TranscribeHooks,
  Transcript,
  VadParams,
} from '../../../src/engine/types.js';
import { errors } from '../../../src/errors.js';

export const fakeAudio = (seconds: number) => Buffer.from(`FAKE ${seconds}`);

const fakeDecode = (bytes: Buffer, opts: { maxDurationSeconds?: number }) => {
  const m = /^FAKE (\d+(\.\d+)?)$/.exec(bytes.toString('latin1'));
  if (!m) throw errors.unsupportedAudio('fake decoder: not audio');
  const duration = Number(m[1]);
  if (opts.maxDurationSeconds !== undefined && duration > opts.maxDurationSeconds) {
    throw errors.audioTooLong(duration, opts.maxDurationSeconds);
  }
  return { pcm: new Float32Array(Math.round(duration * 16_000)), duration };
};

/**
 * With `streams`, it also decodes streams (as ffmpeg does an upload still arriving), the same
 * format, except `FAKE-SEEK <seconds>`: a file that only decodes from disk (an MP4 with its index
 * at the end). `streamSignals` keeps each stream decode's signal.
 */
export const fakeDecoder = (opts: { streams?: boolean } = {}): AudioDecoder & { calls: number; streamCalls: number; streamSignals: AbortSignal[] } => {
  const d = {
    calls: 0,
    streamCalls: 0,
    streamSignals: [] as AbortSignal[],
    async decodeFile(path: string, decodeOpts: { maxDurationSeconds?: number } = {}) {
      d.calls++;
      return fakeDecode(Buffer.from((await fs.readFile(path)).toString('latin1').replace(/^FAKE-SEEK /, 'FAKE '), 'latin1'), decodeOpts);
    },
    ...(opts.streams
      ? {
          async decodeStream(stream: NodeJS.ReadableStream, decodeOpts: { maxDurationSeconds?: number; signal?: AbortSignal } = {}) {
            d.streamCalls++;
            if (decodeOpts.signal) d.streamSignals.push(decodeOpts.signal);
            const chunks: Buffer[] = [];
            for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
            if (decodeOpts.signal?.aborted) throw errors.aborted();
            return fakeDecode(Buffer.concat(chunks), decodeOpts);
          },
        }
      : {}),
  };
  return d;
};

export interface FakeScript {
  /** Segment texts, in order; each gets a 2 s slot. */
  texts?: string[];
  /** Delay before each segment (ms). */
  segmentDelayMs?: number;
  /** Throw this after the first segment. */
  failAfterFirst?: Error;
}

const mkSegment = (id: number, text: string, temperature = 0): Segment => ({
  id,
  seek: 0,
  start: id * 2,
  end: id * 2 + 2,
  text,
  tokens: [50364 + id, 440, 50464],
  temperature,
  avg_logprob: -0.25,
  compression_ratio: 1.2,
  no_speech_prob: 0.01,
  // One entry per word, as whisper's tokens would spell it.
  logprobs: (text.match(/\s*\S+/g) ?? []).map((token, i) => ({ token, logprob: -0.1 * (i + 1), bytes: [...Buffer.from(token)] })),
});

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(errors.aborted());
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), reject(errors.aborted())), { once: true });
  });

function fakeModel(name: string, multilingual: boolean, script: FakeScript, log: DecodeParams[]): LoadedModel {
  return {
    info: { name, path: `/fake/${name}`, multilingual, sizeBytes: 1 },
    async transcribe(pcm: Float32Array, params: DecodeParams, hooks: TranscribeHooks = {}): Promise<Transcript> {
      log.push(params);
      const signal = hooks.signal ?? new AbortController().signal;
      const texts = script.texts ?? [' Hello there.', ' General Kenobi.'];
      const segments: Segment[] = [];
      for (const [i, text] of texts.entries()) {
        await sleep(script.segmentDelayMs ?? 0, signal);
        const seg = mkSegment(i, params.translate ? `${text} (en)` : text, params.temperature ?? 0);
        segments.push(seg);
        hooks.onSegment?.(seg);
        if (script.failAfterFirst) throw script.failAfterFirst;
      }
      const words = params.wordTimestamps
        ? segments.flatMap((s) =>
            s.text.trim().split(/\s+/).map((w, j) => ({ word: w, start: s.start + j * 0.5, end: s.start + j * 0.5 + 0.4, probability: 0.9 })),
          )
        : undefined;
      return {
        task: params.translate ? 'translate' : 'transcribe',
        language: params.translate ? 'en' : (params.language ?? 'en'),
        duration: pcm.length / 16_000,
        text: segments.map((s) => s.text).join('').trim(),
        segments,
        ...(words ? { words } : {}),
      };
    },
    async free() {},
  };
}

export interface FakePool extends ModelPool {
  script: FakeScript;
  params: DecodeParams[];
  loaded: Set<string>;
  closed: boolean;
}

export function fakePool(opts: { concurrency?: number; maxQueue?: number; avgJobSeconds?: number } = {}): FakePool {
  const concurrency = opts.concurrency ?? 2;
  const maxQueue = opts.maxQueue ?? 32;
  const listeners: PoolListener[] = [];
  const emit: PoolListener = (e) => listeners.forEach((l) => l(e));
  const stats = new Map<string, PoolStats>();
  const waiting = new Map<string, Array<() => void>>();
  const st = (model: string) => {
    let s = stats.get(model);
    if (!s) {
      s = { model, loaded: false, inFlight: 0, queued: 0, concurrency, maxQueue, completed: 0, failed: 0, aborted: 0, rejected: 0, audioSecondsProcessed: 0, avgJobSeconds: opts.avgJobSeconds ?? 0 };
      stats.set(model, s);
    }
    return s;
  };

  const pool: FakePool = {
    script: {},
    params: [],
    loaded: new Set(),
    closed: false,
    async withModel(name, signal, fn) {
      const s = st(name);
      if (s.inFlight >= concurrency) {
        if (s.queued >= maxQueue) {
          s.rejected++;
          emit({ kind: 'reject', model: name });
          throw errors.queueFull(1);
        }
        s.queued++;
        try {
          await new Promise<void>((resolve, reject) => {
            const q = waiting.get(name) ?? [];
            waiting.set(name, q);
            const go = () => (signal?.removeEventListener('abort', onAbort), resolve());
            const onAbort = () => {
              q.splice(q.indexOf(go), 1);
              reject(errors.aborted());
            };
            signal?.addEventListener('abort', onAbort, { once: true });
            q.push(go);
          });
        } finally {
          s.queued--;
        }
      }
      s.inFlight++;
      s.loaded = true;
      pool.loaded.add(name);
      emit({ kind: 'start', model: name, waitSeconds: 0 });
      const ac = new AbortController();
      const onAbort = () => ac.abort(errors.aborted());
      signal?.addEventListener('abort', onAbort, { once: true });
      const t0 = performance.now();
      let outcome: 'ok' | 'error' | 'aborted' = 'ok';
      try {
        return await fn(fakeModel(name, !name.endsWith('.en'), pool.script, pool.params), ac.signal, { threads: 1 });
      } catch (err) {
        outcome = ac.signal.aborted ? 'aborted' : 'error';
        throw err;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        s.inFlight--;
        s.completed++;
        emit({ kind: 'finish', model: name, seconds: (performance.now() - t0) / 1000, outcome });
        waiting.get(name)?.shift()?.();
      }
    },
    async load(name) {
      st(name).loaded = true;
      pool.loaded.add(name);
      emit({ kind: 'load', model: name, seconds: 0.01, ok: true });
    },
    isLoaded: (name) => pool.loaded.has(name),
    stats: () => [...stats.values()].map((s) => ({ ...s })),
    on: (l) => void listeners.push(l),
    async close() {
      pool.closed = true;
    },
  };
  return pool;
}

/**
 * The VAD settings a request was decoded with. Where the server ran the batch detector itself
 * (long files), the engine got no VAD of its own and the settings are the detector's last; else
 * they are the engine's. `detectedBefore`: the detector's call count before the request.
 */
export function vadSettingsUsed(pool: FakePool, vad: { detected: VadParams[] }, detectedBefore: number): VadParams | undefined {
  const engineVad = pool.params.at(-1)!.vad;
  if (vad.detected.length === detectedBefore) return engineVad;
  expect(engineVad).toBeUndefined();
  return vad.detected.at(-1);
}
