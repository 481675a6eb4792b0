import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ByteSource, fileSource } from './byte-source.js';
import { type Ct2Index, readCt2Index, readScalar, requireVariable } from './ct2-reader.js';
import type { WhisperHparams } from './ggml-format.js';
import { readVocabulary } from './vocabulary.js';

/** What the ggml writer needs to know about a CTranslate2 Whisper model. */
export interface Ct2Whisper {
  src: ByteSource;
  index: Ct2Index;
  hparams: Omit<WhisperHparams, 'ftype'>;
  tokens: string[];
  vocabularyFile: string;
  /** From config.json: alignment_heads, suppress_ids, lang_ids... (not stored in ggml). */
  config: Record<string, unknown>;
}

function readJson(path: string): Record<string, unknown> | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : undefined;
}

function countLayers(index: Ct2Index, side: 'encoder' | 'decoder'): number {
  const re = new RegExp(`^${side}/layer_(\\d+)/`);
  let n = 0;
  for (const name of index.variables.keys()) {
    const m = re.exec(name);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n;
}

/**
 * Derives whisper.cpp's hparams from tensor shapes. CT2's config.json has no
 * dimensions at all, so shapes are the source of truth; the head counts are
 * scalars the Whisper spec stores next to the weights.
 */
export function deriveHparams(src: ByteSource, index: Ct2Index, preprocessor?: Record<string, unknown>): Ct2Whisper['hparams'] {
  const [nVocab, nTextState] = requireVariable(index, 'decoder/embeddings/weight').shape;
  const [nTextCtx] = requireVariable(index, 'decoder/position_encodings/encodings').shape;
  const [nAudioCtx, nAudioState] = requireVariable(index, 'encoder/position_encodings/encodings').shape;
  const conv1 = requireVariable(index, 'encoder/conv1/weight').shape;
  if (conv1.length !== 3) throw new Error(`encoder/conv1/weight has shape [${conv1}], expected [state, n_mels, 3]`);
  const nMels = conv1[1];
  const featureSize = preprocessor?.feature_size;
  if (typeof featureSize === 'number' && featureSize !== nMels) {
    throw new Error(`preprocessor_config.json says feature_size ${featureSize} but conv1 takes ${nMels} mel bins`);
  }
  const nAudioHead = readScalar(src, index, 'encoder/num_heads');
  const nTextHead = readScalar(src, index, 'decoder/num_heads');
  if (nAudioHead === undefined || nTextHead === undefined) throw new Error('model.bin lacks encoder/num_heads or decoder/num_heads');
  if (nAudioState !== nTextState) throw new Error(`encoder width ${nAudioState} differs from decoder width ${nTextState}; whisper.cpp needs them equal`);
  const nAudioLayer = countLayers(index, 'encoder');
  const nTextLayer = countLayers(index, 'decoder');
  return { nVocab, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nTextCtx, nTextState, nTextHead, nTextLayer, nMels };
}

export function openCt2Whisper(dir: string): Ct2Whisper {
  const src = fileSource(join(dir, 'model.bin'));
  try {
    const index = readCt2Index(src);
    if (index.binaryVersion >= 2 && index.specName !== 'WhisperSpec') {
      throw new Error(`model.bin holds a ${index.specName}, not a Whisper model`);
    }
    const hparams = deriveHparams(src, index, readJson(join(dir, 'preprocessor_config.json')));
    const { tokens, file } = readVocabulary(dir);
    return { src, index, hparams, tokens, vocabularyFile: file, config: readJson(join(dir, 'config.json')) ?? {} };
  } catch (err) {
    src.close();
    throw err;
  }
}
