/**
 * The legacy (pre-GGUF) ggml container whisper.cpp loads, as written by
 * models/convert-pt-to-ggml.py and read by whisper_model_load():
 *
 *   i32 magic 0x67676d6c ("ggml"), 11 x i32 hparams (order below)
 *   i32 n_mel, i32 n_fft, f32 filters[n_mel * n_fft]
 *   i32 n_tokens, then per token: u32 length, raw bytes
 *   tensors until EOF: i32 n_dims, i32 name_length, i32 type,
 *                      i32 ne[n_dims] (innermost first), name, data
 */

export const GGML_MAGIC = 0x67676d6c;

/** whisper.cpp splits hparams.ftype into qntvr * 1000 + ftype; quantize writes qntvr 2. */
export const GGML_QNT_VERSION = 2;
export const GGML_QNT_VERSION_FACTOR = 1000;

/** ggml_type ids (per tensor). */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
}

/** ggml_ftype ids (whole file): which type the big 2-D weights use. */
export enum GgmlFtype {
  ALL_F32 = 0,
  MOSTLY_F16 = 1,
  MOSTLY_Q8_0 = 7,
}

/** [elements per block, bytes per block] */
const BLOCKS: Record<GgmlType, [number, number]> = {
  [GgmlType.F32]: [1, 4],
  [GgmlType.F16]: [1, 2],
  [GgmlType.Q4_0]: [32, 18],
  [GgmlType.Q4_1]: [32, 20],
  [GgmlType.Q5_0]: [32, 22],
  [GgmlType.Q5_1]: [32, 24],
  [GgmlType.Q8_0]: [32, 34],
};

export function ggmlTypeName(t: number): string {
  return GgmlType[t]?.toLowerCase() ?? `type${t}`;
}

export function tensorByteLength(type: number, elements: number): number {
  const b = BLOCKS[type as GgmlType];
  if (!b) throw new Error(`unsupported ggml tensor type ${type}`);
  if (elements % b[0] !== 0) throw new Error(`${ggmlTypeName(type)} needs a multiple of ${b[0]} elements, got ${elements}`);
  return (elements / b[0]) * b[1];
}

export interface WhisperHparams {
  nVocab: number;
  nAudioCtx: number;
  nAudioState: number;
  nAudioHead: number;
  nAudioLayer: number;
  nTextCtx: number;
  nTextState: number;
  nTextHead: number;
  nTextLayer: number;
  nMels: number;
  /** As stored in the file: qntvr * 1000 + ggml_ftype. */
  ftype: number;
}

/** File order of the hparams block. */
export const HPARAM_KEYS: readonly (keyof WhisperHparams)[] = [
  'nVocab',
  'nAudioCtx',
  'nAudioState',
  'nAudioHead',
  'nAudioLayer',
  'nTextCtx',
  'nTextState',
  'nTextHead',
  'nTextLayer',
  'nMels',
  'ftype',
];

export interface GgmlTensorInfo {
  name: string;
  type: GgmlType;
  /** Dimensions innermost-first, as ggml stores them (the reverse of PyTorch's shape). */
  ne: number[];
  offset: number;
  byteLength: number;
}
