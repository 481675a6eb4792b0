/**
 * The mel filter bank whisper.cpp embeds in every ggml file. OpenAI made Whisper's
 * mel_filters.npz with librosa.filters.mel(sr=16000, n_fft=400, n_mels=80|128),
 * i.e. Slaney mel scale (htk=False) and Slaney area normalisation, float32 output.
 * This reproduces librosa's arithmetic step by step, including where it rounds
 * to float32, so the bytes come out identical rather than merely close.
 */

const F_SP = 200.0 / 3; // Slaney: linear below 1 kHz, 3 mels per 200 Hz
const MIN_LOG_HZ = 1000.0;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27.0;

export function hzToMel(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOGSTEP : hz / F_SP;
}

export function melToHz(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (mel - MIN_LOG_MEL)) : 0.0 + F_SP * mel;
}

/** numpy.linspace: start + i*step, with the last point pinned to stop. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

/**
 * Returns an [nMels x (1 + nFft/2)] row-major matrix, like librosa.filters.mel
 * with its defaults (fmin 0, fmax sr/2, htk False, norm "slaney", dtype float32).
 */
export function melFilterBank(nMels: number, nFft = 400, sampleRate = 16000): Float32Array {
  const nFreqs = 1 + Math.floor(nFft / 2);
  // numpy.fft.rfftfreq(n_fft, d=1/sr), operation for operation.
  const binHz = 1.0 / (nFft * (1.0 / sampleRate));
  const fftFreqs = Array.from({ length: nFreqs }, (_, k) => k * binHz);
  const melF = linspace(hzToMel(0), hzToMel(sampleRate / 2), nMels + 2).map(melToHz);

  const out = new Float32Array(nMels * nFreqs);
  for (let i = 0; i < nMels; i++) {
    const fdiffLo = melF[i + 1] - melF[i];
    const fdiffHi = melF[i + 2] - melF[i + 1];
    const enorm = 2.0 / (melF[i + 2] - melF[i]);
    for (let k = 0; k < nFreqs; k++) {
      const lower = -(melF[i] - fftFreqs[k]) / fdiffLo;
      const upper = (melF[i + 2] - fftFreqs[k]) / fdiffHi;
      // librosa stores the triangle into a float32 array, then scales it in float64.
      const tri = Math.fround(Math.max(0, Math.min(lower, upper)));
      out[i * nFreqs + k] = tri * enorm;
    }
  }
  return out;
}
