import { mulberry32 } from '../../../shared/random'

/** Seeded random numbers for weight init and minibatch shuffles (deterministic across runs). */
export class Rng {
  private readonly uniform: () => number
  private spare: number | null = null

  constructor(seed: number) {
    this.uniform = mulberry32(seed >>> 0 || 0x9e3779b9)
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uniform()
  }

  normal(): number {
    if (this.spare !== null) {
      const v = this.spare
      this.spare = null
      return v
    }
    let u = 0
    while (u === 0) u = this.next()
    const v = this.next()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  fillNormal(n: number, std: number): Float32Array {
    const out = new Float32Array(n)
    for (let i = 0; i < n; i++) out[i] = this.normal() * std
    return out
  }

  fillUniform(n: number, bound: number): Float32Array {
    const out = new Float32Array(n)
    for (let i = 0; i < n; i++) out[i] = (this.next() * 2 - 1) * bound
    return out
  }

  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n)
    for (let i = 0; i < n; i++) p[i] = i
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      const t = p[i]!
      p[i] = p[j]!
      p[j] = t
    }
    return p
  }
}
