/**
 * A mixed-radix complex FFT for sizes whose factors are small primes
 * (GE2E's 400-point window is 5·5·4·4). Decimation in time, recursive,
 * with the output of each level combined in place; twiddles come from one
 * table of size n. About n·Σfactors complex products instead of n².
 */
export class Fft {
  private readonly factors: number[] = [];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly tRe: Float64Array;
  private readonly tIm: Float64Array;

  constructor(readonly n: number) {
    let m = n;
    for (const p of [4, 2, 3, 5, 7]) {
      while (m % p === 0) {
        this.factors.push(p);
        m /= p;
      }
    }
    if (m !== 1) throw new Error(`FFT size ${n} has a prime factor above 7`);
    this.cos = new Float64Array(n);
    this.sin = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / n);
      this.sin[i] = -Math.sin((2 * Math.PI * i) / n);
    }
    const pMax = Math.max(1, ...this.factors);
    this.tRe = new Float64Array(pMax);
    this.tIm = new Float64Array(pMax);
  }

  /** out = DFT(in); `in` is real, read with stride 1. */
  realForward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    this.rec(input, 0, 1, this.n, outRe, outIm, 0, 0);
  }

  private rec(x: ArrayLike<number>, off: number, stride: number, n: number, re: Float64Array, im: Float64Array, out: number, fi: number): void {
    if (n === 1) {
      re[out] = x[off];
      im[out] = 0;
      return;
    }
    const p = this.factors[fi];
    const m = n / p;
    for (let j = 0; j < p; j++) this.rec(x, off + j * stride, stride * p, m, re, im, out + j * m, fi + 1);
    const step = this.n / n; // W_n^e = W_N^(e·N/n)
    const { tRe, tIm, cos, sin } = this;
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < p; j++) {
        const a = re[out + j * m + k];
        const b = im[out + j * m + k];
        const t = (j * k * step) % this.n;
        tRe[j] = a * cos[t] - b * sin[t];
        tIm[j] = a * sin[t] + b * cos[t];
      }
      for (let q = 0; q < p; q++) {
        let sr = 0;
        let si = 0;
        for (let j = 0; j < p; j++) {
          const t = ((j * q * m * step) % this.n);
          sr += tRe[j] * cos[t] - tIm[j] * sin[t];
          si += tRe[j] * sin[t] + tIm[j] * cos[t];
        }
        re[out + k + q * m] = sr;
        im[out + k + q * m] = si;
      }
    }
  }
}
