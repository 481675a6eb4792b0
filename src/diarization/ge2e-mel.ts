import { melFilterBank } from '../models-cli/mel-filters.js';
import { RealFft } from './fft.js';

/**
 * The features Resemblyzer's GE2E encoder was trained on: librosa's
 * melspectrogram(sr=16000, n_fft=400, hop=160, n_mels=40) — a centred STFT
 * (reflect padding) with a periodic Hann window, the power spectrum, and a
 * Slaney mel bank. Power, not log: the encoder takes it as is, which is why
 * the waveform's level is normalised first (normalizeVolume).
 */
export const SAMPLE_RATE = 16000;
export const N_FFT = 400;
export const HOP = 160;
export const N_MELS = 40;
const BINS = N_FFT / 2 + 1;

export class Ge2eMel {
  private readonly fft = new RealFft(N_FFT);
  private readonly bank = melFilterBank(N_MELS, N_FFT, SAMPLE_RATE);
  /** Each triangle's non-zero bins [from, to): the bank is 95 % zeros. */
  private readonly span = Array.from({ length: N_MELS }, (_, m) => {
    const row = this.bank.subarray(m * BINS, (m + 1) * BINS);
    const from = row.findIndex((x) => x !== 0);
    let to = BINS;
    while (to > 0 && row[to - 1] === 0) to--;
    return from < 0 ? [0, 0] : [from, to];
  });
  private readonly window = Float64Array.from({ length: N_FFT }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N_FFT));
  private readonly frame = new Float64Array(N_FFT);
  private readonly re = new Float64Array(N_FFT);
  private readonly im = new Float64Array(N_FFT);
  private readonly power = new Float64Array(BINS);

  /** [frames × 40] row-major, frames = 1 + floor(len / 160). */
  compute(wav: Float32Array): { data: Float32Array; frames: number } {
    const frames = 1 + Math.floor(wav.length / HOP);
    const data = new Float32Array(frames * N_MELS);
    const padded = reflectPad(wav, N_FFT / 2);
    for (let t = 0; t < frames; t++) {
      const s = t * HOP;
      for (let i = 0; i < N_FFT; i++) this.frame[i] = padded[s + i] * this.window[i];
      this.fft.forward(this.frame, this.re, this.im);
      for (let k = 0; k < BINS; k++) this.power[k] = this.re[k] * this.re[k] + this.im[k] * this.im[k];
      for (let m = 0; m < N_MELS; m++) {
        let acc = 0;
        const row = m * BINS;
        const [from, to] = this.span[m];
        for (let k = from; k < to; k++) acc += this.bank[row + k] * this.power[k];
        data[t * N_MELS + m] = acc;
      }
    }
    return { data, frames };
  }
}

/** numpy's "reflect" padding (librosa's centring): mirrored without repeating the edge sample. */
function reflectPad(wav: Float32Array, pad: number): Float32Array {
  const n = wav.length;
  const out = new Float32Array(n + 2 * pad);
  if (n === 0) return out;
  for (let i = 0; i < out.length; i++) {
    let j = i - pad;
    if (n === 1) j = 0;
    while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
    out[i] = wav[j] ?? 0;
  }
  return out;
}

/** Resemblyzer's normalize_volume: scale to a target RMS in dBFS of 16-bit full scale. */
export function normalizeVolume(wav: Float32Array, targetDbfs = -30): Float32Array {
  let sum = 0;
  for (let i = 0; i < wav.length; i++) sum += wav[i] * wav[i];
  const rms = Math.sqrt(sum / Math.max(1, wav.length));
  if (rms === 0) return wav;
  const gain = 10 ** (targetDbfs / 20) / rms;
  const out = new Float32Array(wav.length);
  for (let i = 0; i < wav.length; i++) out[i] = wav[i] * gain;
  return out;
}
