import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSource } from '../../src/models-cli/byte-source.js';
import { convertCt2ToGgml } from '../../src/models-cli/convert.js';
import { openCt2Whisper } from '../../src/models-cli/ct2-whisper.js';
import { GgmlType } from '../../src/models-cli/ggml-format.js';
import { type GgmlFile, readGgml } from '../../src/models-cli/ggml-reader.js';
import { halfBufferToFloats } from '../../src/models-cli/half.js';
import { melFilterBank } from '../../src/models-cli/mel-filters.js';
import { SMALL_DIMS, ct2ModelBin, englishVocabulary, whisperVars } from './models-ct2-fixture.js';

let dir: string;
const out = (name: string) => join(dir, name);

const converted = new Map<string, { file: GgmlFile; dropped: number }>();

/** Converts once per quantisation; each caller gets its own handle on the output. */
function convert(quant: 'f16' | 'q8_0'): { file: GgmlFile; raw: ReturnType<typeof fileSource>; dropped: number } {
  const hit = converted.get(quant);
  if (hit) return { ...hit, raw: fileSource(out(`ggml-${quant}.bin`)) };
  const model = openCt2Whisper(out('ct2'));
  const res = convertCt2ToGgml(model, out(`ggml-${quant}.bin`), quant);
  model.src.close();
  const raw = fileSource(out(`ggml-${quant}.bin`));
  const result = { file: readGgml(raw), dropped: res.droppedKeyBiasMax };
  converted.set(quant, result);
  return { ...result, raw };
}

function tensor(f: GgmlFile, name: string) {
  const t = f.tensors.find((x) => x.name === name);
  if (!t) throw new Error(`no tensor ${name}`);
  return t;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'models-convert-'));
  const { vars, aliases } = whisperVars();
  const ct2 = out('ct2');
  mkdirSync(ct2);
  writeFileSync(join(ct2, 'model.bin'), ct2ModelBin(vars, aliases));
  writeFileSync(join(ct2, 'vocabulary.json'), JSON.stringify(englishVocabulary()));
  writeFileSync(join(ct2, 'config.json'), JSON.stringify({ alignment_heads: [[1, 0]], suppress_ids: [1] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CTranslate2 -> ggml conversion (synthetic model)', () => {
  it('derives hparams from tensor shapes and scalars', () => {
    const m = openCt2Whisper(out('ct2'));
    m.src.close();
    expect(m.hparams).toEqual({ nVocab: 51864, nAudioCtx: 6, nAudioState: 32, nAudioHead: 2, nAudioLayer: 1, nTextCtx: 4, nTextState: 32, nTextHead: 2, nTextLayer: 2, nMels: 8 });
    expect(m.config.alignment_heads).toEqual([[1, 0]]);
  });

  it('writes header, mel filters and the 50257 text tokens', () => {
    const { file, raw } = convert('f16');
    raw.close();
    expect(file.hparams.ftype).toBe(1);
    expect(file.mel.nMel).toBe(SMALL_DIMS.nMels);
    expect(file.mel.nFft).toBe(201);
    expect(file.mel.filters).toEqual(melFilterBank(SMALL_DIMS.nMels));
    expect(file.tokens.length).toBe(50257);
    expect(file.tokens[0].toString('latin1')).toBe(' ');
    expect(file.tokens[50256].toString('latin1')).toBe('<|endoftext|>');
  });

  it("produces exactly whisper.cpp's tensor set, shapes and types", () => {
    const { file, raw } = convert('f16');
    raw.close();
    // whisper.cpp: 7 encoder globals + 15 per encoder layer, 4 decoder globals + 24 per decoder layer.
    expect(file.tensors.length).toBe(7 + 15 * 1 + 4 + 24 * 2);
    expect(new Set(file.tensors.map((t) => t.name)).size).toBe(file.tensors.length);
    expect(file.tensors.slice(0, 3).map((t) => t.name)).toEqual(['decoder.positional_embedding', 'encoder.positional_embedding', 'decoder.token_embedding.weight']);
    expect(tensor(file, 'encoder.positional_embedding')).toMatchObject({ ne: [32, 6], type: GgmlType.F32 });
    expect(tensor(file, 'decoder.token_embedding.weight')).toMatchObject({ ne: [32, 51864], type: GgmlType.F16 });
    expect(tensor(file, 'encoder.conv1.weight')).toMatchObject({ ne: [3, 8, 32], type: GgmlType.F16 });
    expect(tensor(file, 'encoder.conv1.bias')).toMatchObject({ ne: [1, 32], type: GgmlType.F32 });
    expect(tensor(file, 'encoder.blocks.0.mlp.0.weight')).toMatchObject({ ne: [32, 128], type: GgmlType.F16 });
    expect(tensor(file, 'decoder.blocks.1.cross_attn.key.weight')).toMatchObject({ ne: [32, 32], type: GgmlType.F16 });
    expect(tensor(file, 'decoder.blocks.1.attn_ln.bias')).toMatchObject({ ne: [32], type: GgmlType.F32 });
    expect(file.tensors.some((t) => t.name.endsWith('key.bias'))).toBe(false);
  });

  it('splits the fused q/k/v and k/v projections by rows and drops the zero key bias', () => {
    const { file, raw, dropped } = convert('f16');
    const f16At = (name: string) => halfBufferToFloats(raw.read(tensor(file, name).offset, tensor(file, name).byteLength));
    const f32At = (name: string) => {
      const b = raw.read(tensor(file, name).offset, tensor(file, name).byteLength);
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    };
    // Fixture rows hold row/64 + offset: q is rows 0..31, k 32..63, v 64..95 of linear_0.
    expect(f16At('encoder.blocks.0.attn.query.weight')[32]).toBe(1 / 64);
    expect(f16At('encoder.blocks.0.attn.key.weight')[0]).toBe(32 / 64);
    expect(f16At('encoder.blocks.0.attn.value.weight')[0]).toBe(64 / 64);
    expect(f32At('decoder.blocks.0.attn.query.bias')[0]).toBe(1);
    expect(f32At('decoder.blocks.0.attn.value.bias')[31]).toBe(3);
    expect(f16At('decoder.blocks.1.cross_attn.key.weight')[0]).toBe(50);
    expect(f16At('decoder.blocks.1.cross_attn.value.weight')[0]).toBe(50.5);
    expect(f32At('decoder.blocks.1.cross_attn.value.bias')[0]).toBe(7);
    expect(f32At('encoder.conv2.bias')[2]).toBe(0.5 + 2 / 64);
    expect(dropped).toBe(0);
    raw.close();
  });

  it('--q8_0 quantises 2-D weights the way whisper.cpp quantize does', () => {
    const { file, raw } = convert('q8_0');
    raw.close();
    expect(file.hparams.ftype).toBe(2007); // GGML_QNT_VERSION 2 * 1000 + GGML_FTYPE_MOSTLY_Q8_0
    expect(tensor(file, 'decoder.token_embedding.weight').type).toBe(GgmlType.Q8_0);
    expect(tensor(file, 'encoder.blocks.0.attn.query.weight')).toMatchObject({ type: GgmlType.Q8_0, byteLength: (32 * 32 * 34) / 32 });
    expect(tensor(file, 'encoder.conv1.weight').type).toBe(GgmlType.F16); // 3-D: not quantised
    for (const n of ['encoder.conv1.bias', 'encoder.positional_embedding', 'decoder.positional_embedding', 'decoder.ln.weight']) expect(tensor(file, n).type).toBe(GgmlType.F32);
  });
});
