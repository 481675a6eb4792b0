/**
 * A mixed-radix FFT for sizes whose factors are small primes, and a real-input
 * transform on top of it. Decimation in time, recursive, each level combined
 * in place; twiddles come from one table. A real signal of even length n is
 * packed into n/2 complex points (even samples real, odd imaginary), so GE2E's
 * 400-point window costs one 200-point complex FFT (4·2·5·5) and an O(n) unpack.
 */
export class Fft {
  private readonly factors: number[] = [];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly tRe: Float64Array;
  private readonly tIm: Float64Array;
  /** Per radix p: the p-th roots of unity, W_p^r for r < p. */
  private readonly roots = new Map<number, { re: Float64Array; im: Float64Array }>();

  /** `n`: the complex transform's size. */
  constructor(readonly n: number) {
    let m = n;
    for (const p of [4, 2, 3, 5, 7]) {
      while (m % p === 0) {
        this.factors.push(p);
        m /= p;
      }
    }
    if (m !== 1) throw new Error(`FFT size ${n} has a prime factor above 7`);
    this.cos = Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * i) / n));
    this.sin = Float64Array.from({ length: n }, (_, i) => -Math.sin((2 * Math.PI * i) / n));
    for (const p of this.factors) {
      const re = Float64Array.from({ length: p }, (_, r) => Math.cos((2 * Math.PI * r) / p));
      const im = Float64Array.from({ length: p }, (_, r) => -Math.sin((2 * Math.PI * r) / p));
      this.roots.set(p, { re, im });
    }
    const pMax = Math.max(1, ...this.factors);
    this.tRe = new Float64Array(pMax);
    this.tIm = new Float64Array(pMax);
  }

  /** out = DFT(in), complex in and out, length n. */
  forward(inRe: ArrayLike<number>, inIm: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    this.rec(inRe, inIm, 0, 1, this.n, outRe, outIm, 0, 0);
  }

  private rec(xr: ArrayLike<number>, xi: ArrayLike<number>, off: number, stride: number, n: number, re: Float64Array, im: Float64Array, out: number, fi: number): void {
    if (n === 1) {
      re[out] = xr[off];
      im[out] = xi[off];
      return;
    }
    const p = this.factors[fi];
    const m = n / p;
    for (let j = 0; j < p; j++) this.rec(xr, xi, off + j * stride, stride * p, m, re, im, out + j * m, fi + 1);
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

/** The DFT of a real signal of even length n, bins 0…n/2 (the rest mirror them). */
export class RealFft {
  private readonly half: Fft;
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;
  private readonly Zr: Float64Array;
  private readonly Zi: Float64Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(readonly n: number) {
    if (n % 2) throw new Error(`real FFT size ${n} is odd`);
    const m = n / 2;
    this.half = new Fft(m);
    [this.zr, this.zi, this.Zr, this.Zi] = [new Float64Array(m), new Float64Array(m), new Float64Array(m), new Float64Array(m)];
    this.cos = Float64Array.from({ length: m + 1 }, (_, k) => Math.cos((2 * Math.PI * k) / n));
    this.sin = Float64Array.from({ length: m + 1 }, (_, k) => -Math.sin((2 * Math.PI * k) / n));
  }

  /** Writes bins 0…n/2 of DFT(x) into outRe/outIm. */
  forward(x: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const m = this.n / 2;
    const { zr, zi, Zr, Zi, cos, sin } = this;
    for (let k = 0; k < m; k++) {
      zr[k] = x[2 * k];
      zi[k] = x[2 * k + 1];
    }
    this.half.forward(zr, zi, Zr, Zi);
    for (let k = 0; k <= m; k++) {
      // E = (Z[k] + conj Z[m-k]) / 2 is the even samples' DFT, O = (Z[k] - conj Z[m-k]) / 2i the odd's.
      const a = k % m;
      const b = (m - k) % m;
      const er = (Zr[a] + Zr[b]) / 2;
      const ei = (Zi[a] - Zi[b]) / 2;
      const or = (Zi[a] + Zi[b]) / 2;
      const oi = -(Zr[a] - Zr[b]) / 2;
      outRe[k] = er + or * cos[k] - oi * sin[k];
      outIm[k] = ei + or * sin[k] + oi * cos[k];
    }
  }
}
