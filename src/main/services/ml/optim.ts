/**
 * AdamW (decoupled weight decay, PyTorch semantics) with optional global grad-norm clipping.
 * The update is one loop per variable over Float32Arrays (tfjs's optimizer issues ~10 kernels per
 * variable per step, each a separate pass on the cpu backend). On native backends this costs one
 * download/upload of the weights per step, small next to a step at these model sizes.
 * The state (step, moments) is plain Float32Arrays so later training jobs can checkpoint it.
 */
import * as tf from '@tensorflow/tfjs'

export interface AdamWConfig {
  lr: number
  beta1?: number
  beta2?: number
  eps?: number
  weightDecay?: number
  /** Clip the global L2 norm of all gradients to this value (0/undefined: no clipping). */
  maxGradNorm?: number
  /** Names that get no weight decay (default: every variable of rank < 2: biases, norms). */
  noDecay?: (name: string, shape: readonly number[]) => boolean
}

export interface AdamWState {
  step: number
  m: Record<string, Float32Array>
  v: Record<string, Float32Array>
}

export interface StepInfo {
  /** Global gradient norm before clipping. */
  gradNorm: number
}

export class AdamW {
  readonly cfg: Required<Omit<AdamWConfig, 'noDecay'>>
  private readonly noDecay: AdamWConfig['noDecay'] | undefined
  private t = 0
  private readonly m = new Map<string, Float32Array>()
  private readonly v = new Map<string, Float32Array>()

  constructor(cfg: AdamWConfig) {
    this.cfg = {
      lr: cfg.lr,
      beta1: cfg.beta1 ?? 0.9,
      beta2: cfg.beta2 ?? 0.999,
      eps: cfg.eps ?? 1e-8,
      weightDecay: cfg.weightDecay ?? 0.01,
      maxGradNorm: cfg.maxGradNorm ?? 0
    }
    this.noDecay = cfg.noDecay
  }

  get step(): number {
    return this.t
  }

  setLearningRate(lr: number): void {
    this.cfg.lr = lr
  }

  /** Apply one update. `grads` is consumed (disposed). */
  apply(vars: ReadonlyMap<string, tf.Variable>, grads: tf.NamedTensorMap): StepInfo {
    this.t++
    const { beta1, beta2, eps, lr, weightDecay, maxGradNorm } = this.cfg
    const bc1 = 1 - Math.pow(beta1, this.t)
    const bc2 = 1 - Math.pow(beta2, this.t)
    const names = [...vars.keys()].filter((n) => grads[n] !== undefined)
    const gdata = new Map<string, Float32Array>()
    let sq = 0
    for (const n of names) {
      const raw = grads[n]!.dataSync()
      const g = raw instanceof Float32Array ? raw : Float32Array.from(raw)
      gdata.set(n, g)
      for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!
    }
    const gradNorm = Math.sqrt(sq)
    const clip = maxGradNorm > 0 && gradNorm > maxGradNorm ? maxGradNorm / (gradNorm + 1e-6) : 1
    for (const n of names) {
      const variable = vars.get(n)!
      const g = gdata.get(n)!
      let m = this.m.get(n)
      let v = this.v.get(n)
      if (m === undefined || v === undefined) {
        m = new Float32Array(g.length)
        v = new Float32Array(g.length)
        this.m.set(n, m)
        this.v.set(n, v)
      }
      const decay = this.decays(n, variable.shape) ? weightDecay : 0
      const wRaw = variable.dataSync()
      const w = Float32Array.from(wRaw)
      const shrink = 1 - lr * decay
      const stepSize = lr / bc1
      const ibc2 = 1 / bc2
      for (let i = 0; i < g.length; i++) {
        const gi = g[i]! * clip
        const mi = beta1 * m[i]! + (1 - beta1) * gi
        const vi = beta2 * v[i]! + (1 - beta2) * gi * gi
        m[i] = mi
        v[i] = vi
        w[i] = w[i]! * shrink - (stepSize * mi) / (Math.sqrt(vi * ibc2) + eps)
      }
      tf.tidy(() => variable.assign(tf.tensor(w, variable.shape, 'float32')))
    }
    for (const n of Object.keys(grads)) grads[n]!.dispose()
    return { gradNorm }
  }

  private decays(name: string, shape: readonly number[]): boolean {
    if (this.noDecay !== undefined) return !this.noDecay(name, shape)
    return shape.length >= 2
  }

  getState(): AdamWState {
    return { step: this.t, m: Object.fromEntries(this.m), v: Object.fromEntries(this.v) }
  }

  setState(s: AdamWState): void {
    this.t = s.step
    this.m.clear()
    this.v.clear()
    for (const [k, a] of Object.entries(s.m)) this.m.set(k, new Float32Array(a))
    for (const [k, a] of Object.entries(s.v)) this.v.set(k, new Float32Array(a))
  }
}
