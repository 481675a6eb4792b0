/**
 * Live audio input: base64 frames in one of OpenAI's three realtime formats, turned into the
 * engine's 16 kHz mono Float32 PCM without a child process. Decoders are stateful so a sample
 * split across two appends (an odd byte, a resampler phase) is never lost.
 */

export type InputFormat = 'pcm16' | 'g711_ulaw' | 'g711_alaw';

/** Input sample rate of each format (OpenAI: pcm16 is 24 kHz, G.711 is 8 kHz). */
export const INPUT_RATE: Readonly<Record<InputFormat, number>> = { pcm16: 24_000, g711_ulaw: 8000, g711_alaw: 8000 };

export interface AudioDecoderStream {
  readonly format: InputFormat;
  /** Bytes in the input format → 16 kHz Float32 samples (possibly empty). */
  push(bytes: Uint8Array): Float32Array;
  /** Samples held back (resampler look-ahead) at the end of a turn the client committed. */
  flush(): Float32Array;
  /** Forget carried state (the client cleared its buffer). */
  reset(): void;
}

/** ITU-T G.711 µ-law byte → linear 16-bit sample. */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

/** ITU-T G.711 A-law byte → linear 16-bit sample. */
export function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const table = (f: (b: number) => number) => Float32Array.from({ length: 256 }, (_, b) => f(b) / 32768);
const ULAW = table(ulawToLinear);
const ALAW = table(alawToLinear);

/**
 * 24 kHz → 16 kHz (ratio 3:2): a 31-tap windowed-sinc low-pass at 7.2 kHz run at the output rate
 * (polyphase: only the kept samples are computed). The last taps' worth of input is carried.
 */
class Downsample24to16 {
  private static readonly TAPS = 31;
  private static readonly kernels = Downsample24to16.makeKernels();
  private history = new Float32Array(0);
  /** Position (in 24 kHz samples, relative to history[0]) of the next output sample. */
  private pos = 0;

  private static makeKernels(): Float32Array[] {
    // Two phases: output n sits at input 1.5n, i.e. on a sample (phase 0) or half-way (phase 0.5).
    const half = (Downsample24to16.TAPS - 1) / 2;
    const cutoff = 7200 / 24_000; // normalised to the input rate
    return [0, 0.5].map((phase) => {
      const k = new Float32Array(Downsample24to16.TAPS);
      let sum = 0;
      for (let i = 0; i < k.length; i++) {
        const t = i - half - phase;
        const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
        const w = 0.42 + 0.5 * Math.cos((Math.PI * (i - half - phase)) / (half + 1)) + 0.08 * Math.cos((2 * Math.PI * (i - half - phase)) / (half + 1));
        k[i] = sinc * w;
        sum += k[i];
      }
      for (let i = 0; i < k.length; i++) k[i] /= sum;
      return k;
    });
  }

  push(input: Float32Array): Float32Array {
    const TAPS = Downsample24to16.TAPS;
    const half = (TAPS - 1) / 2;
    const buf = new Float32Array(this.history.length + input.length);
    buf.set(this.history);
    buf.set(input, this.history.length);
    const out: number[] = [];
    // Output at position p needs input samples floor(p) - half .. floor(p) + half (+1 for phase 0.5).
    while (Math.floor(this.pos) + half + 1 < buf.length) {
      const base = Math.floor(this.pos);
      const kernel = Downsample24to16.kernels[this.pos - base === 0 ? 0 : 1];
      let acc = 0;
      for (let i = 0; i < TAPS; i++) {
        const j = base - half + i;
        if (j >= 0) acc += buf[j] * kernel[i];
      }
      out.push(acc);
      this.pos += 1.5;
    }
    // Keep what the next outputs still need.
    const keepFrom = Math.max(0, Math.floor(this.pos) - half);
    this.history = buf.slice(keepFrom);
    this.pos -= keepFrom;
    return Float32Array.from(out);
  }

  /** The outputs still held back for lack of look-ahead, computed against zeros; then a fresh start. */
  flush(): Float32Array {
    const real = this.history.length;
    const half = (Downsample24to16.TAPS - 1) / 2;
    const padded = new Float32Array(real + half + 2);
    padded.set(this.history);
    const out: number[] = [];
    while (this.pos < real) {
      const base = Math.floor(this.pos);
      const kernel = Downsample24to16.kernels[this.pos - base === 0 ? 0 : 1];
      let acc = 0;
      for (let i = 0; i < Downsample24to16.TAPS; i++) {
        const j = base - half + i;
        if (j >= 0) acc += padded[j] * kernel[i];
      }
      out.push(acc);
      this.pos += 1.5;
    }
    this.reset();
    return Float32Array.from(out);
  }

  reset(): void {
    this.history = new Float32Array(0);
    this.pos = 0;
  }
}

/** 8 kHz → 16 kHz: linear interpolation (one new sample between each pair); G.711 has no content above 4 kHz. */
class Upsample8to16 {
  private last: number | undefined;
  push(input: Float32Array): Float32Array {
    if (input.length === 0) return input;
    const out = new Float32Array(input.length * 2);
    let prev = this.last ?? input[0];
    for (let i = 0; i < input.length; i++) {
      out[2 * i] = (prev + input[i]) / 2;
      out[2 * i + 1] = input[i];
      prev = input[i];
    }
    this.last = prev;
    return out;
  }
  reset(): void {
    this.last = undefined;
  }
}

export function createAudioDecoder(format: InputFormat): AudioDecoderStream {
  if (format === 'pcm16') {
    const resampler = new Downsample24to16();
    let carry: number | undefined; // a dangling low byte from the previous append
    return {
      format,
      push(bytes) {
        let start = 0;
        const total = bytes.length + (carry === undefined ? 0 : 1);
        const samples = new Float32Array(total >> 1);
        let n = 0;
        if (carry !== undefined && bytes.length > 0) {
          samples[n++] = (((bytes[0] << 8) | carry) << 16 >> 16) / 32768;
          start = 1;
          carry = undefined;
        }
        for (let i = start; i + 1 < bytes.length; i += 2) samples[n++] = (((bytes[i + 1] << 8) | bytes[i]) << 16 >> 16) / 32768;
        if ((bytes.length - start) % 2 === 1) carry = bytes[bytes.length - 1];
        return resampler.push(samples.subarray(0, n));
      },
      flush() {
        carry = undefined;
        return resampler.flush();
      },
      reset() {
        carry = undefined;
        resampler.reset();
      },
    };
  }
  const lut = format === 'g711_ulaw' ? ULAW : ALAW;
  const up = new Upsample8to16();
  return {
    format,
    push(bytes) {
      const linear = new Float32Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) linear[i] = lut[bytes[i]];
      return up.push(linear);
    },
    flush: () => new Float32Array(0),
    reset: () => up.reset(),
  };
}

/** Strict base64 (standard alphabet, optional padding); undefined when the text is not base64. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** Bytes per second of input in a format, for size limits and the 100 ms commit minimum. */
export const bytesPerSecond = (format: InputFormat): number => (format === 'pcm16' ? 48_000 : 8000);
