import { fileSource } from './byte-source.js';
import { GGML_QNT_VERSION_FACTOR, ggmlTypeName } from './ggml-format.js';
import { readGgml } from './ggml-reader.js';
import { readSileroGgml } from './silero-convert.js';

/** A VAD file has a length-prefixed model type where a whisper file has n_vocab (tens of thousands). */
function isVadFile(head: Buffer): boolean {
  const n = head.length >= 8 ? head.readInt32LE(4) : 0;
  return n > 0 && n <= 64 && head.length >= 8 + n && head.toString('latin1', 8, 8 + n).startsWith('silero');
}

function inspectVad(path: string, size: number, f: ReturnType<typeof readSileroGgml>): string[] {
  const h = f.header;
  return [
    `${path}: ${size} bytes`,
    `model type    = ${h.modelType}`,
    `model version = ${h.version.join('.')}`,
    `window        = ${h.windowSamples} samples, context ${h.contextSamples}`,
    ...h.encoder.map((l, i) => `encoder[${i}]    = ${l.in} -> ${l.out}, kernel ${l.kernel}`),
    `lstm          = ${h.lstmInput} -> ${h.lstmHidden}`,
    `final conv    = ${h.finalConvIn} -> ${h.finalConvOut}`,
    `tensors       = ${f.tensors.length}`,
    ...f.tensors.map((t) => `${t.name.padStart(40)} - [${t.ne.map((n) => String(n).padStart(5)).join(', ')}], type = ${ggmlTypeName(t.type).padStart(4)}`),
  ];
}

/** Prints a ggml file the way whisper.cpp logs it on load, to compare conversions by eye or diff. */
export function inspectGgml(path: string): string[] {
  const src = fileSource(path);
  try {
    if (isVadFile(src.read(0, Math.min(src.size, 72)))) return inspectVad(path, src.size, readSileroGgml(src));
    const f = readGgml(src);
    const h = f.hparams;
    const lines = [
      `${path}: ${src.size} bytes`,
      `n_vocab       = ${h.nVocab}`,
      `n_audio_ctx   = ${h.nAudioCtx}`,
      `n_audio_state = ${h.nAudioState}`,
      `n_audio_head  = ${h.nAudioHead}`,
      `n_audio_layer = ${h.nAudioLayer}`,
      `n_text_ctx    = ${h.nTextCtx}`,
      `n_text_state  = ${h.nTextState}`,
      `n_text_head   = ${h.nTextHead}`,
      `n_text_layer  = ${h.nTextLayer}`,
      `n_mels        = ${h.nMels}`,
      `ftype         = ${h.ftype % GGML_QNT_VERSION_FACTOR}`,
      `qntvr         = ${Math.floor(h.ftype / GGML_QNT_VERSION_FACTOR)}`,
      `mel filters   = ${f.mel.nMel} x ${f.mel.nFft}`,
      `tokens        = ${f.tokens.length} (whisper.cpp adds ${h.nVocab - f.tokens.length} specials)`,
      `tensors       = ${f.tensors.length}`,
    ];
    for (const t of f.tensors) lines.push(`${t.name.padStart(48)} - [${t.ne.map((n) => String(n).padStart(5)).join(', ')}], type = ${ggmlTypeName(t.type).padStart(4)}`);
    return lines;
  } finally {
    src.close();
  }
}
