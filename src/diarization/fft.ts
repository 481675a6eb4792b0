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
  /** Per radix p: the p-th roots of unity, W_p^r for r < p. */
  private readonly roots = new Map<number, { re: Float64Array; im: Float64Array }>();

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
    for (const p of this.factors) {
      const re = Float64Array.from({ length: p }, (_, r) => Math.cos((2 * Math.PI * r) / p));
      const im = Float64Array.from({ length: p }, (_, r) => -Math.sin((2 * Math.PI * r) / p));
      this.roots.set(p, { re, im });
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
    const step = this.n / n; // W_n^e = W_N^(e·N/n); j·k·step < N, so no wrap-around
    const { tRe, tIm, cos, sin } = this;
    const w = this.roots.get(p)!;
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < p; j++) {
        const a = re[out + j * m + k];
        const b = im[out + j * m + k];
        const t = j * k * step;
        tRe[j] = a * cos[t] - b * sin[t];
        tIm[j] = a * sin[t] + b * cos[t];
      }
      for (let q = 0; q < p; q++) {
        let sr = 0;
        let si = 0;
        for (let j = 0, r = 0; j < p; j++, r = r + q >= p ? r + q - p : r + q) {
          sr += tRe[j] * w.re[r] - tIm[j] * w.im[r];
          si += tRe[j] * w.im[r] + tIm[j] * w.re[r];
        }
        re[out + k + q * m] = sr;
        im[out + k + q * m] = si;
      }
    }
  }
}
