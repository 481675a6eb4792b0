/**
 * The model pool: each model is loaded once and shared. A per-model semaphore caps the whisper
 * states computing at once; a bounded FIFO wait queue sits in front and fails fast with
 * errors.queueFull() when it is full.
 */
import { availableParallelism } from 'node:os';
import { Semaphore } from './semaphore.js';
import { ApiError, errors } from '../errors.js';
import { PRIORITY_ORDER, SAMPLE_RATE, type Engine, type LoadedModel, type ModelInfo, type ModelPool, type PoolListener, type PoolStats } from './types.js';

/** A bound, not a crash limit: whisper.cpp 1.9.1 ran 32 concurrent states here (test/engine). Each state holds its KV caches. */
export const MAX_CONCURRENCY = 16;

export interface ModelPoolOptions {
  engine: Engine;
  /** Name (after alias resolution) → the model file; undefined when unknown. */
  resolve: (name: string) => ModelInfo | undefined;
  concurrency: number;
  maxQueue: number;
  /** Unload a model idle this long (seconds); 0 keeps models loaded. Pinned models never unload. */
  idleTtlSeconds?: number;
  pinned?: string[];
  useGpu?: boolean;
  /**
   * The CPU threads the pool shares out (default: the machine's). Work-conserving: a transcription
   * starting alone gets them all, one starting beside others gets its share (see threadShare).
   */
  cpuThreads?: number;
}

/**
 * Threads for a transcription that starts while `running` are computing (itself included): the
 * budget divided among them, at least 1. OpenMP teams are fixed for a call, so a request keeps
 * what it started with; when one finishes the next to start gets more. A short overlap can
 * oversubscribe the cores (2 + 1 on 2), which libgomp absorbs without collapse (BENCHMARKS.md).
 */
export function threadShare(budget: number, running: number): number {
  return Math.max(1, Math.floor(budget / Math.max(1, running)));
}

interface Entry {
  info: ModelInfo;
  slots: Semaphore;
  model?: Promise<LoadedModel>;
  loaded: boolean;
  idleTimer?: NodeJS.Timeout;
  stats: Omit<PoolStats, 'model' | 'loaded' | 'inFlight' | 'queued' | 'concurrency' | 'maxQueue'>;
}

export function createModelPool(opts: ModelPoolOptions): ModelPool {
  if (!(opts.concurrency >= 1 && opts.concurrency <= MAX_CONCURRENCY)) {
    throw new RangeError(`concurrency must be 1..${MAX_CONCURRENCY}, got ${opts.concurrency}`);
  }
  const entries = new Map<string, Entry>();
  const listeners: PoolListener[] = [];
  const shutdown = new AbortController();
  const emit: PoolListener = (event) => listeners.forEach((l) => l(event));
  const cpuThreads = Math.max(1, opts.cpuThreads ?? availableParallelism());
  const runningEverywhere = () => [...entries.values()].reduce((n, e) => n + e.slots.running, 0);

  const entryFor = (name: string): Entry => {
    let entry = entries.get(name);
    if (!entry) {
      const info = opts.resolve(name);
      if (!info) throw errors.modelNotFound(name);
      entry = {
        info,
        slots: new Semaphore(opts.concurrency),
        loaded: false,
        stats: { completed: 0, failed: 0, aborted: 0, rejected: 0, audioSecondsProcessed: 0, avgJobSeconds: 0 },
      };
      entries.set(name, entry);
    }
    return entry;
  };

  const ensureLoaded = (entry: Entry): Promise<LoadedModel> => {
    if (!entry.model) {
      const started = performance.now();
      entry.model = opts.engine.loadModel(entry.info.path, { name: entry.info.name, useGpu: opts.useGpu }).then(
        (model) => {
          entry.loaded = true;
          emit({ kind: 'load', model: entry.info.name, seconds: (performance.now() - started) / 1000, ok: true });
          return withAudioAccounting(model, entry);
        },
        (err) => {
          entry.model = undefined; // a later request may retry the load
          emit({ kind: 'load', model: entry.info.name, seconds: (performance.now() - started) / 1000, ok: false });
          throw err instanceof ApiError ? err : errors.modelUnavailable(entry.info.name, String(err), err);
        },
      );
    }
    return entry.model;
  };

  const scheduleUnload = (entry: Entry) => {
    const ttl = opts.idleTtlSeconds ?? 0;
    if (ttl <= 0 || opts.pinned?.includes(entry.info.name)) return;
    if (entry.slots.running > 0 || entry.slots.waiting > 0) return;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => void unload(entry), ttl * 1000);
    entry.idleTimer.unref();
  };

  const unload = async (entry: Entry) => {
    if (entry.slots.running > 0 || entry.slots.waiting > 0 || !entry.model) return;
    const model = entry.model;
    entry.model = undefined;
    entry.loaded = false;
    await (await model).free();
    emit({ kind: 'unload', model: entry.info.name });
  };

  return {
    async withModel(name, signal, fn, runOpts = {}) {
      if (shutdown.signal.aborted) throw errors.draining();
      const entry = entryFor(name);
      const { slots } = entry;
      const priority = PRIORITY_ORDER[runOpts.priority ?? 'interactive'];
      if (slots.running >= opts.concurrency && slots.waitingAtOrAbove(priority) >= opts.maxQueue) {
        entry.stats.rejected++;
        emit({ kind: 'reject', model: name });
        throw errors.queueFull(retryAfterSeconds(entry, opts));
      }
      clearTimeout(entry.idleTimer);
      const enqueued = performance.now();
      const release = await slots.acquire(signal, priority).catch(() => {
        throw errors.aborted();
      });
      try {
        const model = await ensureLoaded(entry);
        // Cancelled while the model loaded: don't start work nobody will read.
        if (signal?.aborted) throw errors.aborted();
        emit({ kind: 'start', model: name, waitSeconds: (performance.now() - enqueued) / 1000 });
        const lease = { threads: threadShare(cpuThreads, runningEverywhere()) };
        return await runJob(entry, model, signal, shutdown.signal, (m, s) => fn(m, s, lease), emit);
      } finally {
        release();
        scheduleUnload(entry);
      }
    },
    async load(name) {
      await ensureLoaded(entryFor(name));
    },
    isLoaded: (name) => entries.get(name)?.loaded ?? false,
    stats: () =>
      [...entries.values()].map((e) => ({
        model: e.info.name,
        loaded: e.loaded,
        inFlight: e.slots.running,
        queued: e.slots.waiting,
        concurrency: opts.concurrency,
        maxQueue: opts.maxQueue,
        ...e.stats,
      })),
    on: (listener) => void listeners.push(listener),
    async close() {
      shutdown.abort();
      await Promise.all(
        [...entries.values()].map(async (e) => {
          clearTimeout(e.idleTimer);
          await e.slots.onIdle();
          if (e.model) await (await e.model.catch(() => undefined))?.free();
          e.model = undefined;
          e.loaded = false;
        }),
      );
    },
  };
}

async function runJob<T>(
  entry: Entry,
  model: LoadedModel,
  signal: AbortSignal | undefined,
  shutdownSignal: AbortSignal,
  fn: (model: LoadedModel, signal: AbortSignal) => Promise<T>,
  emit: PoolListener,
): Promise<T> {
  const started = performance.now();
  // Not AbortSignal.any(): on Node 20 its combined signal is only weakly held by its sources and
  // can be garbage-collected while a job waits on it. Plain listeners hold it strongly.
  const controller = new AbortController();
  const combined = controller.signal;
  const abort = () => controller.abort();
  const sources = signal ? [signal, shutdownSignal] : [shutdownSignal];
  for (const s of sources) {
    if (s.aborted) abort();
    else s.addEventListener('abort', abort, { once: true });
  }
  let outcome: 'ok' | 'error' | 'aborted' = 'error';
  try {
    const result = await fn(model, combined);
    outcome = 'ok';
    return result;
  } catch (err) {
    if (combined.aborted) outcome = 'aborted';
    throw err;
  } finally {
    for (const s of sources) s.removeEventListener('abort', abort);
    const seconds = (performance.now() - started) / 1000;
    const s = entry.stats;
    if (outcome === 'ok') s.completed++;
    else if (outcome === 'aborted') s.aborted++;
    else s.failed++;
    // Exponential moving average of slot occupancy, for Retry-After estimates.
    s.avgJobSeconds = s.avgJobSeconds === 0 ? seconds : 0.8 * s.avgJobSeconds + 0.2 * seconds;
    emit({ kind: 'finish', model: entry.info.name, seconds, outcome });
  }
}

/** Counts the audio each transcription handles, for metrics and the real-time factor. */
function withAudioAccounting(model: LoadedModel, entry: Entry): LoadedModel {
  return {
    info: model.info,
    free: () => model.free(),
    async transcribe(pcm, params, hooks) {
      const transcript = await model.transcribe(pcm, params, hooks);
      entry.stats.audioSecondsProcessed += pcm.length / SAMPLE_RATE;
      return transcript;
    },
  };
}

/** How long until a queued request would start: queue length × average job time / slots. */
export function retryAfterSeconds(entry: Pick<Entry, 'slots' | 'stats'>, opts: { concurrency: number }): number {
  const avg = entry.stats.avgJobSeconds || 5;
  return Math.max(1, Math.ceil(((entry.slots.waiting + 1) * avg) / opts.concurrency));
}
