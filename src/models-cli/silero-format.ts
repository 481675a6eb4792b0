import type { Cursor } from './byte-source.js';
import { GGML_MAGIC, GgmlType } from './ggml-format.js';

/**
 * whisper.cpp's ggml Silero VAD file, as models/convert-silero-vad-to-ggml.py
 * writes it and whisper_vad_init_with_params() (v1.9.1) reads it:
 *
 *   i32 magic 0x67676d6c, i32 len + model type ("silero-16k"), i32 major/minor/patch,
 *   i32 window (512 samples), i32 context (64 samples), i32 n_encoder_layers,
 *   per layer i32 in/out/kernel, i32 lstm input/hidden, i32 final conv in/out,
 *   then tensors until EOF in the same record layout as the whisper files
 *   (n_dims, name length, type, ne innermost first, name, data).
 *
 * The loader only logs type and version; it sizes its tensors from the
 * hyperparameters and checks each tensor's element count, ne[0..2] and bytes.
 */

export interface SileroEncoderLayer {
  in: number;
  out: number;
  kernel: number;
}

export interface SileroHeader {
  modelType: string;
  version: [number, number, number];
  windowSamples: number;
  contextSamples: number;
  encoder: SileroEncoderLayer[];
  lstmInput: number;
  lstmHidden: number;
  finalConvIn: number;
  finalConvOut: number;
}

/** The only architecture whisper.cpp builds a graph for (the 8 kHz branch is dropped). */
export function silero16kHeader(version: [number, number, number]): SileroHeader {
  return {
    modelType: 'silero-16k',
    version,
    windowSamples: 512,
    contextSamples: 64,
    encoder: [
      { in: 129, out: 128, kernel: 3 },
      { in: 128, out: 64, kernel: 3 },
      { in: 64, out: 64, kernel: 3 },
      { in: 64, out: 128, kernel: 3 },
    ],
    lstmInput: 128,
    lstmHidden: 128,
    finalConvIn: 128,
    finalConvOut: 1,
  };
}

export function encodeSileroHeader(h: SileroHeader): Buffer {
  const type = Buffer.from(h.modelType, 'utf8');
  const ints = (values: number[]) => {
    const b = Buffer.allocUnsafe(4 * values.length);
    values.forEach((v, i) => b.writeInt32LE(v, 4 * i));
    return b;
  };
  return Buffer.concat([
    ints([GGML_MAGIC, type.length]),
    type,
    ints([...h.version, h.windowSamples, h.contextSamples, h.encoder.length]),
    ints(h.encoder.flatMap((l) => [l.in, l.out, l.kernel])),
    ints([h.lstmInput, h.lstmHidden, h.finalConvIn, h.finalConvOut]),
  ]);
}

export function decodeSileroHeader(c: Cursor): SileroHeader {
  const magic = c.u32();
  if (magic !== GGML_MAGIC) throw new Error(`not a ggml file (magic 0x${magic.toString(16)})`);
  const typeLength = c.i32();
  if (typeLength <= 0 || typeLength > 64) throw new Error(`not a ggml VAD file (model type length ${typeLength})`);
  const modelType = c.bytes(typeLength).toString('utf8');
  const version: [number, number, number] = [c.i32(), c.i32(), c.i32()];
  const windowSamples = c.i32();
  const contextSamples = c.i32();
  const layers = c.i32();
  if (layers < 1 || layers > 16) throw new Error(`not a ggml VAD file (${layers} encoder layers)`);
  const encoder = Array.from({ length: layers }, () => ({ in: c.i32(), out: c.i32(), kernel: c.i32() }));
  return { modelType, version, windowSamples, contextSamples, encoder, lstmInput: c.i32(), lstmHidden: c.i32(), finalConvIn: c.i32(), finalConvOut: c.i32() };
}

export interface SileroTensorPlan {
  /** The name whisper.cpp looks up: the TorchScript state_dict key, which the converter keeps. */
  name: string;
  /** Shape in the TorchScript model (PyTorch order). */
  sourceShape: number[];
  /**
   * Shape written (PyTorch order; the writer reverses it into ggml's ne). The
   * converter squeezes size-1 dims out of every tensor except the STFT basis,
   * so the final conv weight [1,128,1] becomes [128] and its bias [1] a
   * 0-dim scalar (n_dims 0); the loader pads missing dims with 1.
   */
  shape: number[];
  /** Conv kernels (and the STFT basis, which is one) are f16; the rest stay f32. */
  type: GgmlType.F16 | GgmlType.F32;
}

/** Every tensor in the converter's write order: encoder, LSTM, final conv, STFT basis last. */
export function sileroTensorPlan(h: SileroHeader): SileroTensorPlan[] {
  const plan: SileroTensorPlan[] = [];
  h.encoder.forEach((l, i) => {
    plan.push({ name: `_model.encoder.${i}.reparam_conv.weight`, sourceShape: [l.out, l.in, l.kernel], shape: [l.out, l.in, l.kernel], type: GgmlType.F16 });
    plan.push({ name: `_model.encoder.${i}.reparam_conv.bias`, sourceShape: [l.out], shape: [l.out], type: GgmlType.F32 });
  });
  const gates = 4 * h.lstmHidden; // i, f, g, o stacked, as PyTorch's LSTMCell stores them
  for (const m of ['weight_ih', 'weight_hh'] as const) {
    const cols = m === 'weight_ih' ? h.lstmInput : h.lstmHidden;
    plan.push({ name: `_model.decoder.rnn.${m}`, sourceShape: [gates, cols], shape: [gates, cols], type: GgmlType.F32 });
  }
  for (const m of ['bias_ih', 'bias_hh'] as const) {
    plan.push({ name: `_model.decoder.rnn.${m}`, sourceShape: [gates], shape: [gates], type: GgmlType.F32 });
  }
  const squeeze = (s: number[]) => s.filter((d) => d !== 1);
  const finalW = [h.finalConvOut, h.finalConvIn, 1];
  plan.push({ name: '_model.decoder.decoder.2.weight', sourceShape: finalW, shape: squeeze(finalW), type: GgmlType.F16 });
  plan.push({ name: '_model.decoder.decoder.2.bias', sourceShape: [h.finalConvOut], shape: squeeze([h.finalConvOut]), type: GgmlType.F32 });
  // 258 = real and imaginary rows for 129 bins of a 256-point DFT; kept 3-D.
  const stft = [2 * h.encoder[0].in, 1, 2 * (h.encoder[0].in - 1)];
  plan.push({ name: '_model.stft.forward_basis_buffer', sourceShape: stft, shape: stft, type: GgmlType.F16 });
  return plan;
}
