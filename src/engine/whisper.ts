/**
 * The engine: loads whisper.cpp contexts and runs transcriptions on them. Each loaded model keeps a
 * pool of reused whisper_states, so one model serves several requests at once without allocating
 * per request.
 */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { ApiError, errors } from '../errors.js';
import { loadBinding, type NativeBinding, type NativeHandle, type NativeSegment, type NativeState } from './native.js';
import { toNativeParams } from './decode-params.js';
import { resolveLanguage } from './language.js';
import { StatePool } from './state-pool.js';
import { toSegment, toTranscript } from './transcript.js';
import { loadSileroVad } from './vad.js';
import { SAMPLE_RATE, type DecodeParams, type Engine, type LoadedModel, type LoadOptions, type TranscribeHooks, type Transcript } from './types.js';

/** whisper.cpp returns no segments for input under 1000 ms; pad a little past that. */
const MIN_SAMPLES = Math.ceil(SAMPLE_RATE * 1.1);

export interface WhisperEngineOptions {
  /** Threads per transcription when a request does not say. */
  defaultThreads?: number;
  /** 0 silent, 1 errors (default), 2 warnings, 3 all of whisper.cpp's output. */
  logVerbosity?: 0 | 1 | 2 | 3;
  /** Flash attention (whisper.cpp's default since 1.8). */
  flashAttn?: boolean;
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
  /** Set by loadVad: whisper_full's own VAD filter reads the same file. */
  let vadModelPath: string | undefined;

  return {
    async loadModel(path: string, load: LoadOptions): Promise<LoadedModel> {
      const size = await stat(path).then((s) => s.size).catch(() => {
        throw errors.modelUnavailable(load.name, `no model file at ${path}`);
      });
      const model = await native.WhisperModel.load(path, load.useGpu ?? false, opts.flashAttn ?? true).catch((err: Error) => {
        throw errors.modelUnavailable(load.name, err.message, err);
      });
      const handle = model.handle!;
      const info = native.modelInfo(handle);
      const states = new StatePool(native, handle);
      return {
        info: { name: load.name, path, multilingual: info.multilingual, sizeBytes: size },
        transcribe: async (pcm, params, hooks) => {
          if (params.vad && !vadModelPath) {
            throw errors.invalidRequest('chunking_strategy needs the Silero VAD model, which this server has not loaded.', 'chunking_strategy', 'vad_unavailable');
          }
          return states.with((state) =>
            runTranscription(native, handle, state, info, pcm, params, hooks, { defaultThreads, vadModelPath }),
          );
        },
        async free() {
          // A context must outlive every state made from it.
          await states.close();
          await model.free();
        },
      };
    },
    async loadVad(path: string) {
      // A long file's VAD pass is split over the cores a lone request gets (vad-split.ts).
      const vad = await loadSileroVad(native, path, { parallelism: defaultThreads });
      vadModelPath = path;
      return vad;
    },
  };
}

async function runTranscription(
  native: NativeBinding,
  handle: NativeHandle,
  state: NativeState,
  vocab: ReturnType<NativeBinding['modelInfo']>,
  pcm: Float32Array,
  params: DecodeParams,
  hooks: TranscribeHooks = {},
  opts: { defaultThreads: number; vadModelPath?: string },
): Promise<Transcript> {
  const { signal, onSegment, onProgress } = hooks;
  if (signal?.aborted) throw errors.aborted();
  const abortFlag = new Int32Array(1);
  const abort = () => Atomics.store(abortFlag, 0, 1);
  signal?.addEventListener('abort', abort, { once: true });

  let streamed = 0;
  const segmentHook = onSegment && ((s: NativeSegment) => onSegment(toSegment(s, streamed++, vocab, pcm.length / SAMPLE_RATE)));
  const progressHook = onProgress && ((pct: number) => onProgress(Math.min(1, Math.max(0, pct / 100))));
  try {
    const language = await resolveLanguage(params, vocab.multilingual, async () => ({
      codes: native.languageCodes,
      probs: await native.languageProbs(handle, state, pcm, Math.max(1, params.threads ?? opts.defaultThreads)),
    }));
    if (signal?.aborted) throw errors.aborted();
    const nativeParams = toNativeParams({ ...params, language }, { multilingual: vocab.multilingual, ...opts });
    const result = await native.transcribe(handle, state, padShortInput(pcm), nativeParams, abortFlag, segmentHook, progressHook);
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
    if (err instanceof ApiError) throw err;
    throw errors.transcriptionFailed((err as Error).message, err);
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}
