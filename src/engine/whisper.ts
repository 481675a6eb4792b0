/**
 * The engine: loads whisper.cpp contexts and runs transcriptions on them, each with its own
 * whisper_state, so one loaded model serves several requests at once.
 */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { errors } from '../errors.js';
import { loadBinding, type NativeBinding, type NativeHandle, type NativeSegment } from './native.js';
import { toNativeParams } from './decode-params.js';
import { toSegment, toTranscript } from './transcript.js';
import type { DecodeParams, Engine, LoadedModel, LoadOptions, TranscribeHooks, Transcript } from './types.js';

const SAMPLE_RATE = 16_000;
/** whisper.cpp returns no segments for input under 1000 ms; pad a little past that. */
const MIN_SAMPLES = Math.ceil(SAMPLE_RATE * 1.1);

export interface WhisperEngineOptions {
  /** Threads per transcription when a request does not say. */
  defaultThreads?: number;
  /** 0 silent, 1 errors (default), 2 warnings, 3 all of whisper.cpp's output. */
  logVerbosity?: 0 | 1 | 2 | 3;
}

export function padShortInput(pcm: Float32Array): Float32Array {
  if (pcm.length >= MIN_SAMPLES) return pcm;
  const padded = new Float32Array(MIN_SAMPLES);
  padded.set(pcm);
  return padded;
}

export function createWhisperEngine(opts: WhisperEngineOptions = {}): Engine {
  const native = loadBinding();
  native.setLogVerbosity(opts.logVerbosity ?? 1);
  const defaultThreads = opts.defaultThreads ?? Math.max(1, availableParallelism());

  return {
    async loadModel(path: string, load: LoadOptions): Promise<LoadedModel> {
      const size = await stat(path).then((s) => s.size).catch(() => {
        throw errors.modelUnavailable(load.name, `no model file at ${path}`);
      });
      const model = await native.WhisperModel.load(path, load.useGpu ?? false).catch((err: Error) => {
        throw errors.modelUnavailable(load.name, err.message, err);
      });
      const info = native.modelInfo(model.handle!);
      return {
        info: { name: load.name, path, multilingual: info.multilingual, sizeBytes: size },
        transcribe: (pcm, params, hooks) =>
          runTranscription(native, model.handle!, info, pcm, params, hooks, defaultThreads),
        free: () => model.free(),
      };
    },
  };
}

async function runTranscription(
  native: NativeBinding,
  handle: NativeHandle,
  vocab: ReturnType<NativeBinding['modelInfo']>,
  pcm: Float32Array,
  params: DecodeParams,
  hooks: TranscribeHooks = {},
  defaultThreads: number,
): Promise<Transcript> {
  const { signal, onSegment, onProgress } = hooks;
  if (signal?.aborted) throw errors.aborted();
  const abortFlag = new Int32Array(1);
  const abort = () => Atomics.store(abortFlag, 0, 1);
  signal?.addEventListener('abort', abort, { once: true });

  let streamed = 0;
  const segmentHook = onSegment && ((s: NativeSegment) => onSegment(toSegment(s, streamed++, vocab)));
  const progressHook = onProgress && ((pct: number) => onProgress(Math.min(1, Math.max(0, pct / 100))));
  const nativeParams = toNativeParams(params, { multilingual: vocab.multilingual, defaultThreads });
  try {
    const result = await native.transcribe(handle, padShortInput(pcm), nativeParams, abortFlag, segmentHook, progressHook);
    return toTranscript({
      task: nativeParams.translate ? 'translate' : 'transcribe',
      language: result.language,
      duration: pcm.length / SAMPLE_RATE,
      segments: result.segments,
      vocab,
      withWords: params.wordTimestamps ?? false,
    });
  } catch (err) {
    if (signal?.aborted) throw errors.aborted();
    throw errors.transcriptionFailed((err as Error).message, err);
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}
