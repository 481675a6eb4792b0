import { GgmlType } from './ggml-format.js';
import type { RowRange } from './ct2-tensor.js';

/**
 * Maps CTranslate2's Whisper variables onto whisper.cpp's tensor names.
 *
 * CT2 fuses projections: self-attention q/k/v is one [3d, d] linear
 * (linear_0), cross-attention k/v is one [2d, d] linear (linear_1), and the
 * output projection is the last linear. Splitting is a row slice. Whisper's
 * key projections have no bias; CT2's fuse_linear pads zeros in their place,
 * and those rows are dropped (even a non-zero one would not matter: q·b is the
 * same for every key, and softmax ignores a constant shift).
 *
 * The order is that of OpenAI's checkpoints, which convert-pt-to-ggml.py
 * walks, so the published ggml files have it too (whisper.cpp itself loads by
 * name in any order). With it, tiny.en converted from faster-whisper's float16
 * CT2 model is byte-identical to ggml-tiny.en.bin on Hugging Face.
 */

export interface ModelShape {
  nAudioLayer: number;
  nTextLayer: number;
  nState: number;
}

export interface TensorSpec {
  name: string;
  source: string;
  rows?: RowRange;
  /** Shape change without data change (conv biases become [n, 1]). */
  reshape?: number[];
}

export type Quantization = 'f16' | 'q8_0';

/** Kept f32 by the converter and skipped by whisper.cpp's quantize tool. */
const ALWAYS_F32 = new Set(['encoder.conv1.bias', 'encoder.conv2.bias', 'encoder.positional_embedding', 'decoder.positional_embedding']);

/** convert-pt-to-ggml.py: small tensors f32, the rest f16; quantize: 2-D tensors to q8_0. */
export function outputType(name: string, nDims: number, quant: Quantization): GgmlType {
  if (nDims < 2 || ALWAYS_F32.has(name)) return GgmlType.F32;
  if (quant === 'q8_0' && nDims === 2) return GgmlType.Q8_0;
  return GgmlType.F16;
}

function linear(out: TensorSpec[], name: string, src: string, rows?: RowRange, bias = true): void {
  out.push({ name: `${name}.weight`, source: `${src}/weight`, rows });
  if (bias) out.push({ name: `${name}.bias`, source: `${src}/bias`, rows });
}

function layerNorm(out: TensorSpec[], name: string, src: string): void {
  out.push({ name: `${name}.weight`, source: `${src}/gamma` }, { name: `${name}.bias`, source: `${src}/beta` });
}

function selfAttention(out: TensorSpec[], w: string, c: string, d: number): void {
  layerNorm(out, `${w}.attn_ln`, `${c}/self_attention/layer_norm`);
  linear(out, `${w}.attn.query`, `${c}/self_attention/linear_0`, { start: 0, count: d });
  linear(out, `${w}.attn.key`, `${c}/self_attention/linear_0`, { start: d, count: d }, false);
  linear(out, `${w}.attn.value`, `${c}/self_attention/linear_0`, { start: 2 * d, count: d });
  linear(out, `${w}.attn.out`, `${c}/self_attention/linear_1`);
}

function crossAttention(out: TensorSpec[], w: string, c: string, d: number): void {
  layerNorm(out, `${w}.cross_attn_ln`, `${c}/attention/layer_norm`);
  linear(out, `${w}.cross_attn.query`, `${c}/attention/linear_0`);
  linear(out, `${w}.cross_attn.key`, `${c}/attention/linear_1`, { start: 0, count: d }, false);
  linear(out, `${w}.cross_attn.value`, `${c}/attention/linear_1`, { start: d, count: d });
  linear(out, `${w}.cross_attn.out`, `${c}/attention/linear_2`);
}

function mlp(out: TensorSpec[], w: string, c: string): void {
  layerNorm(out, `${w}.mlp_ln`, `${c}/ffn/layer_norm`);
  linear(out, `${w}.mlp.0`, `${c}/ffn/linear_0`);
  linear(out, `${w}.mlp.2`, `${c}/ffn/linear_1`);
}

export function planTensors(m: ModelShape): TensorSpec[] {
  const d = m.nState;
  const out: TensorSpec[] = [
    { name: 'decoder.positional_embedding', source: 'decoder/position_encodings/encodings' },
    { name: 'encoder.positional_embedding', source: 'encoder/position_encodings/encodings' },
    { name: 'decoder.token_embedding.weight', source: 'decoder/embeddings/weight' },
  ];
  for (let i = 0; i < m.nTextLayer; i++) {
    mlp(out, `decoder.blocks.${i}`, `decoder/layer_${i}`);
    selfAttention(out, `decoder.blocks.${i}`, `decoder/layer_${i}`, d);
    crossAttention(out, `decoder.blocks.${i}`, `decoder/layer_${i}`, d);
  }
  layerNorm(out, 'decoder.ln', 'decoder/layer_norm');
  for (const conv of ['conv1', 'conv2']) {
    out.push({ name: `encoder.${conv}.weight`, source: `encoder/${conv}/weight` });
    out.push({ name: `encoder.${conv}.bias`, source: `encoder/${conv}/bias`, reshape: [d, 1] });
  }
  for (let i = 0; i < m.nAudioLayer; i++) {
    mlp(out, `encoder.blocks.${i}`, `encoder/layer_${i}`);
    selfAttention(out, `encoder.blocks.${i}`, `encoder/layer_${i}`, d);
  }
  layerNorm(out, 'encoder.ln_post', 'encoder/layer_norm');
  return out;
}

/** The fused-bias rows that belong to key projections, which whisper.cpp has no tensor for. */
export function droppedKeyBiases(m: ModelShape): { source: string; rows: RowRange }[] {
  const d = m.nState;
  const out = [];
  for (let i = 0; i < m.nAudioLayer; i++) out.push({ source: `encoder/layer_${i}/self_attention/linear_0/bias`, rows: { start: d, count: d } });
  for (let i = 0; i < m.nTextLayer; i++) {
    out.push({ source: `decoder/layer_${i}/self_attention/linear_0/bias`, rows: { start: d, count: d } });
    out.push({ source: `decoder/layer_${i}/attention/linear_1/bias`, rows: { start: 0, count: d } });
  }
  return out;
}
