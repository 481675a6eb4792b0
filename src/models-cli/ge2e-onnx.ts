import type { TensorRef } from './torch-pickle.js';
import { type OnnxGraph, type OnnxInitializer, type OnnxNode, encodeOnnx } from './onnx-writer.js';

/**
 * Resemblyzer's GE2E speaker encoder as an ONNX graph: mels [batch, 160, 40]
 * (power mel, not log) → 3 stacked LSTM(256) → the last layer's final hidden
 * state → Linear(256) → ReLU → L2 normalisation → embedding [batch, 256].
 * This is VoiceEncoder.forward, written as standard ONNX operators; the
 * runtime does the arithmetic.
 */

export const GE2E_LAYERS = 3;
export const GE2E_HIDDEN = 256;
export const GE2E_MELS = 40;

/**
 * PyTorch stacks the LSTM gates as [input, forget, cell, output]; ONNX wants
 * [input, output, forget, cell]. Reorders the 4·H rows of a weight or bias.
 */
export function torchGatesToOnnx(w: Float32Array, hidden: number): Float32Array {
  const rowLen = w.length / (4 * hidden);
  const out = new Float32Array(w.length);
  const block = hidden * rowLen;
  [0, 3, 1, 2].forEach((from, to) => out.set(w.subarray(from * block, (from + 1) * block), to * block));
  return out;
}

export function buildGe2eOnnx(
  tensors: Map<string, TensorRef>,
  floats: (t: TensorRef) => Float32Array,
  metadata: Record<string, string> = {},
): Buffer {
  const get = (name: string, shape: number[]): Float32Array => {
    const t = tensors.get(name);
    if (!t) throw new Error(`the GE2E state dict has no ${name}`);
    if (t.shape.join() !== shape.join()) throw new Error(`${name} has shape [${t.shape}], expected [${shape}]`);
    return floats(t);
  };
  const H = GE2E_HIDDEN;
  const inits: OnnxInitializer[] = [];
  const nodes: OnnxNode[] = [{ op: 'Transpose', inputs: ['mels'], outputs: ['x0'], attrs: { perm: [1, 0, 2] } }];
  inits.push({ name: 'axis0', dims: [1], data: BigInt64Array.of(0n) }, { name: 'axis1', dims: [1], data: BigInt64Array.of(1n) });

  for (let l = 0; l < GE2E_LAYERS; l++) {
    const inSize = l === 0 ? GE2E_MELS : H;
    const w = torchGatesToOnnx(get(`lstm.weight_ih_l${l}`, [4 * H, inSize]), H);
    const r = torchGatesToOnnx(get(`lstm.weight_hh_l${l}`, [4 * H, H]), H);
    // ONNX's B is [Wb, Rb] concatenated; PyTorch adds bias_ih and bias_hh the same way.
    const b = new Float32Array(8 * H);
    b.set(torchGatesToOnnx(get(`lstm.bias_ih_l${l}`, [4 * H]), H), 0);
    b.set(torchGatesToOnnx(get(`lstm.bias_hh_l${l}`, [4 * H]), H), 4 * H);
    inits.push({ name: `W${l}`, dims: [1, 4 * H, inSize], data: w }, { name: `R${l}`, dims: [1, 4 * H, H], data: r }, { name: `B${l}`, dims: [1, 8 * H], data: b });
    const last = l === GE2E_LAYERS - 1;
    // Y: [T, 1, batch, H] feeds the next layer; the last layer's Y_h: [1, batch, H] is the state we keep.
    nodes.push({ op: 'LSTM', inputs: [`x${l}`, `W${l}`, `R${l}`, `B${l}`], outputs: last ? ['', 'h_last'] : [`y${l}`], attrs: { hidden_size: H } });
    if (!last) nodes.push({ op: 'Squeeze', inputs: [`y${l}`, 'axis1'], outputs: [`x${l + 1}`] });
  }
  inits.push({ name: 'linW', dims: [H, H], data: get('linear.weight', [H, H]) }, { name: 'linB', dims: [H], data: get('linear.bias', [H]) });
  nodes.push(
    { op: 'Squeeze', inputs: ['h_last', 'axis0'], outputs: ['h'] },
    { op: 'Gemm', inputs: ['h', 'linW', 'linB'], outputs: ['z'], attrs: { transB: 1 } },
    { op: 'Relu', inputs: ['z'], outputs: ['zr'] },
    { op: 'LpNormalization', inputs: ['zr'], outputs: ['embedding'], attrs: { axis: 1, p: 2 } },
  );
  const graph: OnnxGraph = {
    name: 'ge2e_speaker_encoder',
    nodes,
    initializers: inits,
    inputs: [{ name: 'mels', dims: ['batch', 'frames', GE2E_MELS] }],
    outputs: [{ name: 'embedding', dims: ['batch', H] }],
    opset: 17,
    producer: 'whisper-server models import-diarization',
    metadata,
  };
  return encodeOnnx(graph);
}
