/**
 * Decoding settings shared by every side of a comparison. Language is always fixed to en
 * (tiny.en is English-only), timestamps are segment-level only, no VAD, no word timestamps.
 */
export interface Decoding {
  name: string;
  /** 1 = greedy. */
  beamSize: number;
  bestOf: number;
  /** Temperature fallback 0.0 → 1.0 in steps of 0.2 on failed quality checks. */
  fallback: boolean;
}

export const GREEDY: Decoding = { name: 'greedy (best_of 5 on fallback), fallback on', beamSize: 1, bestOf: 5, fallback: true };
export const BEAM5: Decoding = { name: 'beam 5, fallback on', beamSize: 5, bestOf: 5, fallback: true };
export const GREEDY_NO_FALLBACK: Decoding = { name: 'greedy, temperature 0, no fallback', beamSize: 1, bestOf: 1, fallback: false };

/**
 * whisper.cpp CLI flags for the same settings as our engine's toNativeParams(): our engine sets
 * suppress_non_speech_tokens (as openai-whisper does), so whisper.cpp gets -sns. Entropy (2.4) and
 * logprob (-1) thresholds are the defaults on both sides. Flash attention is passed separately.
 */
export function whisperCppArgs(d: Decoding): string[] {
  return ['-l', 'en', '-sns', '-bs', String(d.beamSize > 1 ? d.beamSize : -1), '-bo', String(d.bestOf), ...(d.fallback ? [] : ['-nf'])];
}

/** The same settings as whisper-server /inference form fields. */
export function whisperCppForm(d: Decoding): Record<string, string> {
  return {
    language: 'en',
    suppress_nst: 'true',
    beam_size: String(d.beamSize > 1 ? d.beamSize : -1),
    best_of: String(d.bestOf),
    temperature: '0',
    temperature_inc: d.fallback ? '0.2' : '0',
    // The server computes token-level timestamps unless told not to; the engine does not.
    token_timestamps: 'false',
    response_format: 'json',
  };
}

/**
 * Benchmark arguments: numbers pick thread counts, "greedy"/"beam5" pick decodings, "jfk"/"long"
 * pick clips; whatever a kind leaves unspecified keeps its defaults.
 */
export function pickArgs<C extends string>(args: string[], clipNames: readonly C[], defaultThreads: number[]) {
  const threads = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const decodings = [GREEDY, BEAM5].filter((d, i) => args.includes(['greedy', 'beam5'][i]));
  const clips = clipNames.filter((c) => args.includes(c));
  return {
    threads: threads.length ? threads : defaultThreads,
    decodings: decodings.length ? decodings : [GREEDY, BEAM5],
    clips: clips.length ? clips : [...clipNames],
  };
}
