/**
 * Radix-2 real FFT over typed arrays. A real signal of length n is packed into a complex signal of
 * length n/2 (even samples real, odd samples imaginary), transformed with an iterative radix-2 FFT
 * and split back, which halves the work of a full complex transform. All tables are built once per
 * size and every scratch buffer is owned by the instance, so per-frame calls allocate nothing.
 */
export class RealFFT {
  readonly size: number
  readonly bins: number
  private readonly half: number
  private readonly bitReverse: Uint32Array
  private readonly stageCos: Float64Array
  private readonly stageSin: Float64Array
  private readonly splitCos: Float64Array
  private readonly splitSin: Float64Array
  private readonly re: Float64Array
  private readonly im: Float64Array

  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size must be a power of two >= 4, got ${size}`)
    this.size = size
    this.half = size >> 1
    this.bins = this.half + 1
    const half = this.half
    this.re = new Float64Array(half)
    this.im = new Float64Array(half)
    this.bitReverse = new Uint32Array(half)
    const bits = Math.log2(half)
    for (let i = 0; i < half; i++) {
      let reversed = 0
      for (let b = 0; b < bits; b++) reversed |= ((i >> b) & 1) << (bits - 1 - b)
      this.bitReverse[i] = reversed
    }
    // Twiddles exp(-i*pi*j/span) for every stage, stored at offset span - 1.
    this.stageCos = new Float64Array(half)
    this.stageSin = new Float64Array(half)
    for (let span = 1; span < half; span <<= 1) {
      for (let j = 0; j < span; j++) {
        this.stageCos[span - 1 + j] = Math.cos((Math.PI * j) / span)
        this.stageSin[span - 1 + j] = Math.sin((Math.PI * j) / span)
      }
    }
    this.splitCos = new Float64Array(half + 1)
    this.splitSin = new Float64Array(half + 1)
    for (let k = 0; k <= half; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size)
      this.splitSin[k] = Math.sin((2 * Math.PI * k) / size)
    }
  }

  /**
   * In-place forward complex FFT of this.re/this.im (length n/2), already in bit-reversed order.
   * The first stage needs no multiplications; later stages read their twiddles from a contiguous
   * per-stage table (stageCos/stageSin at offset span - 1).
   */
  private complexTransform(): void {
    const re = this.re
    const im = this.im
    const n = this.half
    for (let a = 0; a < n; a += 2) {
      const ar = re[a]!
      const ai = im[a]!
      const br = re[a + 1]!
      const bi = im[a + 1]!
      re[a] = ar + br
      im[a] = ai + bi
      re[a + 1] = ar - br
      im[a + 1] = ai - bi
    }
    const cosT = this.stageCos
    const sinT = this.stageSin
    for (let span = 2; span < n; span <<= 1) {
      const twiddleBase = span - 1
      const blockSize = span << 1
      for (let start = 0; start < n; start += blockSize) {
        for (let j = 0; j < span; j++) {
          const a = start + j
          const b = a + span
          const c = cosT[twiddleBase + j]!
          const s = sinT[twiddleBase + j]!
          const br = re[b]!
          const bi = im[b]!
          const tr = br * c + bi * s
          const ti = bi * c - br * s
          const ar = re[a]!
          const ai = im[a]!
          re[b] = ar - tr
          im[b] = ai - ti
          re[a] = ar + tr
          im[a] = ai + ti
        }
      }
    }
  }

  private load(input: ArrayLike<number>, window: ArrayLike<number> | null): void {
    const rev = this.bitReverse
    const re = this.re
    const im = this.im
    if (window === null) {
      for (let m = 0; m < this.half; m++) {
        const r = rev[m]!
        re[r] = input[2 * m]!
        im[r] = input[2 * m + 1]!
      }
    } else {
      for (let m = 0; m < this.half; m++) {
        const r = rev[m]!
        re[r] = input[2 * m]! * window[2 * m]!
        im[r] = input[2 * m + 1]! * window[2 * m + 1]!
      }
    }
  }

  /**
   * Spectrum of a real frame (optionally multiplied by a window first): writes bins 0..n/2 into
   * outRe/outIm (length >= n/2 + 1).
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array, window: ArrayLike<number> | null = null): void {
    this.load(input, window)
    this.complexTransform()
    const re = this.re
    const im = this.im
    const half = this.half
    const wc = this.splitCos
    const ws = this.splitSin
    for (let k = 0; k <= half; k++) {
      const k1 = k === half ? 0 : k
      const k2 = k === 0 ? 0 : half - k
      const a = re[k1]!
      const b = im[k1]!
      const c = re[k2]!
      const d = im[k2]!
      const evenRe = (a + c) * 0.5
      const evenIm = (b - d) * 0.5
      const oddRe = (b + d) * 0.5
      const oddIm = (c - a) * 0.5
      const cs = wc[k]!
      const sn = ws[k]!
      outRe[k] = evenRe + cs * oddRe + sn * oddIm
      outIm[k] = evenIm + cs * oddIm - sn * oddRe
    }
  }

  /** |X[k]|^2 for k = 0..n/2 of the (optionally windowed) real frame. */
  powerSpectrum(input: ArrayLike<number>, out: Float64Array | Float32Array, window: ArrayLike<number> | null = null): void {
    this.load(input, window)
    this.complexTransform()
    const re = this.re
    const im = this.im
    const half = this.half
    const wc = this.splitCos
    const ws = this.splitSin
    for (let k = 0; k <= half; k++) {
      const k1 = k === half ? 0 : k
      const k2 = k === 0 ? 0 : half - k
      const a = re[k1]!
      const b = im[k1]!
      const c = re[k2]!
      const d = im[k2]!
      const evenRe = (a + c) * 0.5
      const evenIm = (b - d) * 0.5
      const oddRe = (b + d) * 0.5
      const oddIm = (c - a) * 0.5
      const cs = wc[k]!
      const sn = ws[k]!
      const xr = evenRe + cs * oddRe + sn * oddIm
      const xi = evenIm + cs * oddIm - sn * oddRe
      out[k] = xr * xr + xi * xi
    }
  }
}

/** Periodic Hann window (the scipy/librosa `get_window('hann', n, fftbins=True)` convention). */
export function hannWindow(n: number): Float64Array {
  const w = new Float64Array(n)
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)
  return w
}

/** Smallest power of two >= n. */
export function nextPow2(n: number): number {
  let p = 1
  while (p < n) p <<= 1
  return p
}
