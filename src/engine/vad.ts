/**
 * whisper.cpp's Silero VAD (ggml) as the engine's VoiceActivityDetector: whole-buffer speech spans
 * for file transcription (a long buffer scored in parts at once, vad-split.ts), and live streams
 * whose LSTM state carries across pushes (realtime server_vad). One whisper_vad_context serves one
 * call at a time, so every stream loads its own (0.9 MB, milliseconds), and whole-buffer calls take
 * one from a small pool, at most two per core in use at once.
 */
import { errors } from '../errors.js';
import type { NativeBinding, NativeVad } from './native.js';
import { Semaphore } from './semaphore.js';
import { SpeechHysteresis } from './speech-hysteresis.js';
import { cutPoints, joinAtCuts, vadParts } from './vad-split.js';
import { SAMPLE_RATE, type SpeechSpan, type VadEvent, type VadParams, type VadStream, type VoiceActivityDetector } from './types.js';

/** Silero at 16 kHz decides once per 512 samples (32 ms). */
export const VAD_FRAME_SAMPLES = 512;

type VadNative = Pick<NativeBinding, 'vadLoad' | 'vadProbs' | 'vadSegments' | 'vadReset' | 'vadFree'>;

/** Runs async calls on one native context strictly one after another. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export interface SileroVadOptions {
  /** Cores a long buffer's VAD pass may be split across (vad-split.ts); 1 scores it in one pass. */
  parallelism?: number;
}

export async function loadSileroVad(native: VadNative, path: string, opts: SileroVadOptions = {}): Promise<VoiceActivityDetector> {
  const load = () =>
    native.vadLoad(path, 1).catch((err: Error) => {
      throw errors.modelUnavailable('silero-vad', err.message, err);
    });
  const parallelism = Math.max(1, opts.parallelism ?? 1);
  // Whole-buffer contexts, made on demand and kept: one per part being scored, across requests.
  const idle: NativeVad[] = [await load()];
  const inUse = new Semaphore(2 * parallelism);
  let freed = false;
  const withContext = async <T>(signal: AbortSignal | undefined, fn: (ctx: NativeVad) => Promise<T>): Promise<T> => {
    if (signal?.aborted) throw errors.aborted();
    const release = await inUse.acquire(signal).catch(() => {
      throw errors.aborted();
    });
    try {
      if (freed) throw errors.modelUnavailable('silero-vad', 'VAD has been freed');
      const ctx = idle.pop() ?? (await load());
      try {
        return await fn(ctx);
      } finally {
        if (freed) native.vadFree(ctx);
        else idle.push(ctx);
      }
    } finally {
      release();
    }
  };
  return {
    async detect(pcm: Float32Array, params: VadParams, signal?: AbortSignal): Promise<SpeechSpan[]> {
      const settings = {
        threshold: params.threshold,
        min_silence_duration_ms: params.silenceDurationMs,
        speech_pad_ms: params.prefixPaddingMs,
        min_speech_duration_ms: params.minSpeechMs ?? 250,
      };
      const parts = vadParts(pcm.length, parallelism);
      if (parts === 1) return withContext(signal, (ctx) => native.vadSegments(ctx, pcm, settings));
      const bounds = [0, ...cutPoints(pcm, parts, VAD_FRAME_SAMPLES), pcm.length];
      const spans = await Promise.all(
        bounds.slice(0, -1).map((from, k) =>
          withContext(signal, async (ctx) => {
            const offset = from / SAMPLE_RATE;
            const found = await native.vadSegments(ctx, pcm.subarray(from, bounds[k + 1]), settings);
            return found.map((s) => ({ start: s.start + offset, end: s.end + offset }));
          }),
        ),
      );
      return joinAtCuts(spans, params.silenceDurationMs / 1000);
    },
    createStream(params: VadParams): VadStream {
      return new SileroStream(native, load, params);
    },
    async free() {
      freed = true;
      for (const ctx of idle.splice(0)) native.vadFree(ctx);
      // Contexts still scoring are freed as they finish.
      await inUse.onIdle();
    },
  };
}

class SileroStream implements VadStream {
  readonly frameSamples = VAD_FRAME_SAMPLES;
  private ctx?: Promise<NativeVad>;
  private readonly serial = new Serial();
  private pending = new Float32Array(0);
  /** Samples of the stream consumed as whole frames so far (the clock of the next frame). */
  private clock = 0;
  private resetNext = true;
  private readonly hysteresis: SpeechHysteresis;
  private closed = false;

  constructor(
    private readonly native: VadNative,
    private readonly load: () => Promise<NativeVad>,
    params: VadParams,
  ) {
    this.hysteresis = new SpeechHysteresis(params, VAD_FRAME_SAMPLES);
  }

  push(pcm: Float32Array): Promise<{ probabilities: Float32Array; events: VadEvent[] }> {
    // Buffered synchronously, so pushes keep their order whatever the native timing.
    const joined = new Float32Array(this.pending.length + pcm.length);
    joined.set(this.pending);
    joined.set(pcm, this.pending.length);
    const whole = joined.length - (joined.length % VAD_FRAME_SAMPLES);
    const frames = joined.slice(0, whole);
    this.pending = joined.slice(whole);
    const start = this.clock;
    this.clock += whole;
    const reset = this.resetNext && whole > 0;
    if (reset) this.resetNext = false;
    return this.serial.run(async () => {
      if (this.closed) throw errors.aborted();
      if (whole === 0) return { probabilities: new Float32Array(0), events: [] };
      this.ctx ??= this.load();
      const probabilities = await this.native.vadProbs(await this.ctx, frames, reset);
      return { probabilities, events: this.hysteresis.feed(probabilities, start) };
    });
  }

  reset(): void {
    // The sample clock keeps counting; the audio and the LSTM state are forgotten.
    this.clock += this.pending.length;
    this.pending = new Float32Array(0);
    this.resetNext = true;
    this.hysteresis.reset();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const ctx = this.ctx;
    void this.serial.run(async () => {
      if (ctx) this.native.vadFree(await ctx);
    }).catch(() => undefined);
  }
}
