/**
 * A mixed-radix FFT for sizes whose factors are small primes, and a real-input
 * transform on top of it. Decimation in time, recursive down to the last
 * factor, each level combined in place by a butterfly written out for radix
 * 2, 3, 4 and 5 (a plain p-point DFT for 7); twiddles come from one table. A
 * real signal of even length n is packed into n/2 complex points (even
 * samples real, odd imaginary), so GE2E's 400-point window costs one
 * 200-point complex FFT (4·2·5·5) and an O(n) unpack.
 */
const C3 = -0.5;
const S3 = Math.sqrt(3) / 2;
const C51 = Math.cos((2 * Math.PI) / 5);
const C52 = Math.cos((4 * Math.PI) / 5);
const S51 = Math.sin((2 * Math.PI) / 5);
const S52 = Math.sin((4 * Math.PI) / 5);

export class Fft {
  private readonly factors: number[] = [];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly tRe = new Float64Array(7);
  private readonly tIm = new Float64Array(7);
  private xr: ArrayLike<number> = [];
  private xi: ArrayLike<number> = [];
  private re: Float64Array = new Float64Array(0);
  private im: Float64Array = new Float64Array(0);

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
    // W_n^e = cos[e] + i·sin[e] (the forward sign).
    this.cos = Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * i) / n));
    this.sin = Float64Array.from({ length: n }, (_, i) => -Math.sin((2 * Math.PI * i) / n));
  }

  /** out = DFT(in), complex in and out, length n. */
  forward(inRe: ArrayLike<number>, inIm: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    this.xr = inRe;
    this.xi = inIm;
    this.re = outRe;
    this.im = outIm;
    if (this.n === 1) {
      outRe[0] = inRe[0];
      outIm[0] = inIm[0];
    } else this.rec(0, 1, this.n, 0, 0);
  }

  /** The n-point DFT of the input from `off` at `stride`, written to out[out … out + n). */
  private rec(off: number, stride: number, n: number, out: number, fi: number): void {
    const p = this.factors[fi];
    const m = n / p;
    if (m === 1) {
      for (let j = 0; j < p; j++) {
        this.re[out + j] = this.xr[off + j * stride];
        this.im[out + j] = this.xi[off + j * stride];
      }
    } else {
      for (let j = 0; j < p; j++) this.rec(off + j * stride, stride * p, m, out + j * m, fi + 1);
    }
    // Sub-DFT j sits at out + j·m; X[k + q·m] = Σ_j W_n^{jk} Y_j[k] · W_p^{jq}.
    this.twiddle(p, out, m, this.n / n);
    if (p === 2) this.radix2(out, m);
    else if (p === 4) this.radix4(out, m);
    else if (p === 3) this.radix3(out, m);
    else if (p === 5) this.radix5(out, m);
    else this.radixAny(p, out, m);
  }

  /** Y_j[k] ← W_n^{jk} · Y_j[k] in place, for each sub-DFT j > 0 (k = 0 needs none); tw = N / n. */
  private twiddle(p: number, out: number, m: number, tw: number): void {
    const { re, im, cos, sin } = this;
    for (let j = 1; j < p; j++) {
      for (let k = 1; k < m; k++) {
        const i = out + j * m + k;
        const t = j * k * tw; // < N: no wrap-around
        const a = re[i];
        re[i] = a * cos[t] - im[i] * sin[t];
        im[i] = a * sin[t] + im[i] * cos[t];
      }
    }
  }

  private radix2(out: number, m: number): void {
    const { re, im } = this;
    for (let k = 0; k < m; k++) {
      const x0r = re[out + k];
      const x0i = im[out + k];
      const x1r = re[out + k + m];
      const x1i = im[out + k + m];
      re[out + k] = x0r + x1r;
      im[out + k] = x0i + x1i;
      re[out + k + m] = x0r - x1r;
      im[out + k + m] = x0i - x1i;
    }
  }

  private radix3(out: number, m: number): void {
    const { re, im } = this;
    for (let k = 0; k < m; k++) {
      const x0r = re[out + k];
      const x0i = im[out + k];
      const x1r = re[out + k + m];
      const x1i = im[out + k + m];
      const x2r = re[out + k + 2 * m];
      const x2i = im[out + k + 2 * m];
      const sr = x1r + x2r;
      const si = x1i + x2i;
      const dr = S3 * (x1r - x2r);
      const di = S3 * (x1i - x2i);
      const cr = x0r + C3 * sr;
      const ci = x0i + C3 * si;
      re[out + k] = x0r + sr;
      im[out + k] = x0i + si;
      // ∓i·d: -i·(dr + i·di) = di - i·dr
      re[out + k + m] = cr + di;
      im[out + k + m] = ci - dr;
      re[out + k + 2 * m] = cr - di;
      im[out + k + 2 * m] = ci + dr;
    }
  }

  private radix4(out: number, m: number): void {
    const { re, im } = this;
    for (let k = 0; k < m; k++) {
      const x0r = re[out + k];
      const x0i = im[out + k];
      const x1r = re[out + k + m];
      const x1i = im[out + k + m];
      const x2r = re[out + k + 2 * m];
      const x2i = im[out + k + 2 * m];
      const x3r = re[out + k + 3 * m];
      const x3i = im[out + k + 3 * m];
      const s02r = x0r + x2r;
      const s02i = x0i + x2i;
      const d02r = x0r - x2r;
      const d02i = x0i - x2i;
      const s13r = x1r + x3r;
      const s13i = x1i + x3i;
      const d13r = x1r - x3r;
      const d13i = x1i - x3i;
      // W_4 = -i: X1 = d02 - i·d13, X3 = d02 + i·d13.
      re[out + k] = s02r + s13r;
      im[out + k] = s02i + s13i;
      re[out + k + m] = d02r + d13i;
      im[out + k + m] = d02i - d13r;
      re[out + k + 2 * m] = s02r - s13r;
      im[out + k + 2 * m] = s02i - s13i;
      re[out + k + 3 * m] = d02r - d13i;
      im[out + k + 3 * m] = d02i + d13r;
    }
  }

  private radix5(out: number, m: number): void {
    const { re, im } = this;
    for (let k = 0; k < m; k++) {
      const x0r = re[out + k];
      const x0i = im[out + k];
      const x1r = re[out + k + m];
      const x1i = im[out + k + m];
      const x2r = re[out + k + 2 * m];
      const x2i = im[out + k + 2 * m];
      const x3r = re[out + k + 3 * m];
      const x3i = im[out + k + 3 * m];
      const x4r = re[out + k + 4 * m];
      const x4i = im[out + k + 4 * m];
      const s14r = x1r + x4r;
      const s14i = x1i + x4i;
      const d14r = x1r - x4r;
      const d14i = x1i - x4i;
      const s23r = x2r + x3r;
      const s23i = x2i + x3i;
      const d23r = x2r - x3r;
      const d23i = x2i - x3i;
      // X1,4 = a0 + c1·s14 + c2·s23 ∓ i·(s1·d14 + s2·d23); X2,3 = a0 + c2·s14 + c1·s23 ∓ i·(s2·d14 − s1·d23).
      const ar = x0r + C51 * s14r + C52 * s23r;
      const ai = x0i + C51 * s14i + C52 * s23i;
      const br = S51 * d14r + S52 * d23r;
      const bi = S51 * d14i + S52 * d23i;
      const cr = x0r + C52 * s14r + C51 * s23r;
      const ci = x0i + C52 * s14i + C51 * s23i;
      const dr = S52 * d14r - S51 * d23r;
      const di = S52 * d14i - S51 * d23i;
      re[out + k] = x0r + s14r + s23r;
      im[out + k] = x0i + s14i + s23i;
      re[out + k + m] = ar + bi;
      im[out + k + m] = ai - br;
      re[out + k + 4 * m] = ar - bi;
      im[out + k + 4 * m] = ai + br;
      re[out + k + 2 * m] = cr + di;
      im[out + k + 2 * m] = ci - dr;
      re[out + k + 3 * m] = cr - di;
      im[out + k + 3 * m] = ci + dr;
    }
  }

  /** A plain p-point DFT per k, for the primes without a butterfly of their own (7). */
  private radixAny(p: number, out: number, m: number): void {
    const { re, im, tRe, tIm, cos, sin } = this;
    const rootStep = this.n / p; // W_p^r = W_N^{r·N/p}
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < p; j++) {
        tRe[j] = re[out + k + j * m];
        tIm[j] = im[out + k + j * m];
      }
      for (let q = 0; q < p; q++) {
        let sr = 0;
        let si = 0;
        for (let j = 0, r = 0; j < p; j++, r = r + q >= p ? r + q - p : r + q) {
          const wr = cos[r * rootStep];
          const wi = sin[r * rootStep];
          sr += tRe[j] * wr - tIm[j] * wi;
          si += tRe[j] * wi + tIm[j] * wr;
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
