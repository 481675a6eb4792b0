import { describe, expect, it } from 'vitest';
import { GgmlType } from '../../src/models-cli/ggml-format.js';
import { droppedKeyBiases, outputType, planTensors } from '../../src/models-cli/tensor-plan.js';

/** The names whisper_model_load() registers, for n encoder and m decoder layers. */
function whisperCppNames(nEnc: number, nDec: number): string[] {
  const enc = ['mlp_ln.weight', 'mlp_ln.bias', 'mlp.0.weight', 'mlp.0.bias', 'mlp.2.weight', 'mlp.2.bias', 'attn_ln.weight', 'attn_ln.bias', 'attn.query.weight', 'attn.query.bias', 'attn.key.weight', 'attn.value.weight', 'attn.value.bias', 'attn.out.weight', 'attn.out.bias'];
  const cross = ['cross_attn_ln.weight', 'cross_attn_ln.bias', 'cross_attn.query.weight', 'cross_attn.query.bias', 'cross_attn.key.weight', 'cross_attn.value.weight', 'cross_attn.value.bias', 'cross_attn.out.weight', 'cross_attn.out.bias'];
  return [
    ...['positional_embedding', 'conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'ln_post.weight', 'ln_post.bias'].map((n) => `encoder.${n}`),
    ...Array.from({ length: nEnc }, (_, i) => enc.map((n) => `encoder.blocks.${i}.${n}`)).flat(),
    ...['positional_embedding', 'token_embedding.weight', 'ln.weight', 'ln.bias'].map((n) => `decoder.${n}`),
    ...Array.from({ length: nDec }, (_, i) => [...enc, ...cross].map((n) => `decoder.blocks.${i}.${n}`)).flat(),
  ];
}

describe('tensor plan', () => {
  it('covers exactly the tensors whisper.cpp expects (tiny: 167, large-v3-turbo: 4 decoder layers)', () => {
    const tiny = planTensors({ nAudioLayer: 4, nTextLayer: 4, nState: 384 });
    expect(tiny.length).toBe(167);
    expect(tiny.map((t) => t.name).sort()).toEqual(whisperCppNames(4, 4).sort());
    const turbo = planTensors({ nAudioLayer: 32, nTextLayer: 4, nState: 1280 });
    expect(turbo.map((t) => t.name).sort()).toEqual(whisperCppNames(32, 4).sort());
  });

  it("follows the published files' order (OpenAI checkpoint order)", () => {
    const names = planTensors({ nAudioLayer: 1, nTextLayer: 1, nState: 8 }).map((t) => t.name);
    expect(names.slice(0, 6)).toEqual(['decoder.positional_embedding', 'encoder.positional_embedding', 'decoder.token_embedding.weight', 'decoder.blocks.0.mlp_ln.weight', 'decoder.blocks.0.mlp_ln.bias', 'decoder.blocks.0.mlp.0.weight']);
    expect(names.indexOf('decoder.ln.bias') + 1).toBe(names.indexOf('encoder.conv1.weight'));
    expect(names.at(-1)).toBe('encoder.ln_post.bias');
  });

  it('maps fused CT2 projections to row ranges', () => {
    const plan = planTensors({ nAudioLayer: 1, nTextLayer: 1, nState: 8 });
    const get = (n: string) => plan.find((t) => t.name === n)!;
    expect(get('encoder.blocks.0.attn.value.bias')).toEqual({ name: 'encoder.blocks.0.attn.value.bias', source: 'encoder/layer_0/self_attention/linear_0/bias', rows: { start: 16, count: 8 } });
    expect(get('decoder.blocks.0.cross_attn.key.weight').rows).toEqual({ start: 0, count: 8 });
    expect(get('decoder.blocks.0.cross_attn.out.weight').source).toBe('decoder/layer_0/attention/linear_2/weight');
    expect(get('encoder.conv2.bias').reshape).toEqual([8, 1]);
    expect(droppedKeyBiases({ nAudioLayer: 1, nTextLayer: 1, nState: 8 })).toHaveLength(3);
  });

  it('picks types like convert-pt-to-ggml.py and quantize', () => {
    expect(outputType('decoder.ln.weight', 1, 'f16')).toBe(GgmlType.F32);
    expect(outputType('encoder.conv1.bias', 2, 'q8_0')).toBe(GgmlType.F32);
    expect(outputType('decoder.positional_embedding', 2, 'q8_0')).toBe(GgmlType.F32);
    expect(outputType('encoder.conv1.weight', 3, 'q8_0')).toBe(GgmlType.F16);
    expect(outputType('decoder.token_embedding.weight', 2, 'f16')).toBe(GgmlType.F16);
    expect(outputType('decoder.token_embedding.weight', 2, 'q8_0')).toBe(GgmlType.Q8_0);
  });
});
