import { tokenToBytes } from './bpe-bytes.js';
import { readRows, toFloatBytes, toFloats, toHalfBytes } from './ct2-tensor.js';
import { requireVariable } from './ct2-reader.js';
import type { Ct2Whisper } from './ct2-whisper.js';
import { GGML_QNT_VERSION, GGML_QNT_VERSION_FACTOR, GgmlFtype, GgmlType, type WhisperHparams } from './ggml-format.js';
import { GgmlWriter } from './ggml-writer.js';
import { melFilterBank } from './mel-filters.js';
import { quantizeQ8_0 } from './q8-0.js';
import { type Quantization, droppedKeyBiases, outputType, planTensors } from './tensor-plan.js';
import { textTokens } from './vocabulary.js';

/** Whisper's STFT: n_fft 400 gives 201 frequency bins. */
const N_FFT_BINS = 201;

export interface ConvertResult {
  hparams: WhisperHparams;
  bytes: number;
  tensors: number;
  tokens: number;
  /** Largest |value| among the key-bias rows that were dropped (0 for stock CT2 conversions). */
  droppedKeyBiasMax: number;
}

export function fileFtype(quant: Quantization): number {
  // quantize stamps its output with the quantisation format version; f16 files carry none.
  return quant === 'q8_0' ? GGML_QNT_VERSION * GGML_QNT_VERSION_FACTOR + GgmlFtype.MOSTLY_Q8_0 : GgmlFtype.MOSTLY_F16;
}

function encode(type: GgmlType, data: ReturnType<typeof readRows>): Buffer {
  if (type === GgmlType.F32) return toFloatBytes(data);
  if (type === GgmlType.F16) return toHalfBytes(data);
  return quantizeQ8_0(toFloats(data));
}

/** Writes `model` to `outPath` in whisper.cpp's ggml format, one tensor in memory at a time. */
export function convertCt2ToGgml(model: Ct2Whisper, outPath: string, quant: Quantization): ConvertResult {
  const { src, index } = model;
  const hparams: WhisperHparams = { ...model.hparams, ftype: fileFtype(quant) };
  const shape = { nAudioLayer: hparams.nAudioLayer, nTextLayer: hparams.nTextLayer, nState: hparams.nAudioState };
  const tokens = textTokens(model.tokens).map(tokenToBytes);
  const plan = planTensors(shape);
  const w = new GgmlWriter(outPath);
  try {
    w.header(hparams);
    w.melFilters(hparams.nMels, N_FFT_BINS, melFilterBank(hparams.nMels));
    w.vocabulary(tokens);
    for (const spec of plan) {
      const v = requireVariable(index, spec.source);
      const data = readRows(src, index, v, spec.rows);
      const dims = spec.reshape ?? (spec.rows ? [spec.rows.count, ...v.shape.slice(1)] : v.shape);
      const type = outputType(spec.name, dims.length, quant);
      w.tensor(spec.name, dims, type, encode(type, data));
    }
    w.close();
  } catch (err) {
    w.abort();
    throw err;
  }
  let droppedKeyBiasMax = 0;
  for (const { source, rows } of droppedKeyBiases(shape)) {
    for (const x of toFloats(readRows(src, index, requireVariable(index, source), rows))) droppedKeyBiasMax = Math.max(droppedKeyBiasMax, Math.abs(x));
  }
  return { hparams, bytes: w.bytesWritten, tensors: plan.length, tokens: tokens.length, droppedKeyBiasMax };
}
