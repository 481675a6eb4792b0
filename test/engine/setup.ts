/** One real engine, pool and decoder per test file, on the weights fetch-test imports. */
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { createModelPool } from '../../src/engine/pool.js';
import { createWhisperEngine } from '../../src/engine/whisper.js';
import type { DecodeParams, ModelInfo, TranscribeHooks } from '../../src/engine/types.js';
import { audioPath, requireModel } from '../support/paths.js';

export function realEngine(opts: { concurrency?: number; maxQueue?: number } = {}) {
  const files: Record<string, string> = { 'tiny.en': requireModel('tiny.en'), base: requireModel('base') };
  const engine = createWhisperEngine({ defaultThreads: 2 });
  const resolve = (name: string): ModelInfo | undefined =>
    files[name] ? { name, path: files[name], multilingual: name === 'base', sizeBytes: 0 } : undefined;
  const pool = createModelPool({ engine, resolve, concurrency: opts.concurrency ?? 2, maxQueue: opts.maxQueue ?? 16 });
  const decoder = createFfmpegDecoder();

  /** Decode a shared clip and transcribe it: greedy by default to keep CI fast. */
  async function transcribe(model: string, clip: string, params: DecodeParams = {}, hooks: TranscribeHooks = {}) {
    const { pcm } = await decoder.decodeFile(audioPath(clip));
    return pool.withModel(model, hooks.signal, (m, signal) => m.transcribe(pcm, { beamSize: 1, ...params }, { ...hooks, signal }));
  }
  return { engine, pool, decoder, transcribe };
}
