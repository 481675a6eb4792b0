import { type ByteSource, Cursor } from './byte-source.js';
import { type GgmlTensorInfo, GgmlType } from './ggml-format.js';
import { readTensorTable } from './ggml-reader.js';
import { GgmlWriter } from './ggml-writer.js';
import { floatsToHalfBuffer } from './half.js';
import { type SileroHeader, decodeSileroHeader, encodeSileroHeader, silero16kHeader, sileroTensorPlan } from './silero-format.js';

/** Where the weights come from: named f32 tensors in PyTorch shape (a TorchScript archive, or a test fixture). */
export interface TensorSource {
  shapeOf(name: string): number[] | undefined;
  floats(name: string): Promise<Float32Array>;
}

export interface SileroConvertResult {
  header: SileroHeader;
  tensors: number;
  bytes: number;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Writes whisper.cpp's ggml VAD file from the Silero 16 kHz weights. Values
 * are never reordered: TorchScript storages are row-major and ggml's ne is
 * PyTorch's shape reversed, so these are the bytes numpy's tofile() writes in
 * the converter. Only the dtype changes: conv kernels and the STFT basis
 * become f16, rounded to nearest even like numpy's astype(float16).
 */
export async function convertSileroToGgml(src: TensorSource, out: string, version: [number, number, number]): Promise<SileroConvertResult> {
  const header = silero16kHeader(version);
  const plan = sileroTensorPlan(header);
  // Check everything before writing a byte, so a different model fails with one clear message.
  const problems: string[] = [];
  for (const p of plan) {
    const shape = src.shapeOf(p.name);
    if (!shape) problems.push(`missing ${p.name}`);
    else if (!sameShape(shape, p.sourceShape)) problems.push(`${p.name} is [${shape}], expected [${p.sourceShape}]`);
  }
  if (problems.length) throw new Error(`not the Silero VAD 16 kHz model whisper.cpp knows: ${problems.join('; ')}`);

  const data: Buffer[] = [];
  for (const p of plan) {
    const values = await src.floats(p.name);
    data.push(p.type === GgmlType.F16 ? floatsToHalfBuffer(values) : Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  }
  const w = new GgmlWriter(out);
  try {
    w.raw(encodeSileroHeader(header));
    plan.forEach((p, i) => w.tensor(p.name, p.shape, p.type, data[i]));
    w.close();
  } catch (err) {
    w.abort();
    throw err;
  }
  return { header, tensors: plan.length, bytes: w.bytesWritten };
}

export interface SileroGgmlFile {
  header: SileroHeader;
  tensors: GgmlTensorInfo[];
}

/** Parses a ggml VAD file's header and tensor table (data located, not read). */
export function readSileroGgml(src: ByteSource): SileroGgmlFile {
  const c = new Cursor(src);
  const header = decodeSileroHeader(c);
  return { header, tensors: readTensorTable(c, 0) };
}
