/**
 * AdamW (decoupled weight decay, PyTorch semantics) with optional global grad-norm clipping.
 * The update is one loop per variable over Float32Arrays (tfjs's optimizer issues ~10 kernels per
 * variable per step, each a separate pass on the cpu backend). On the native TensorFlow backends
 * (tfjs-node, tfjs-node-gpu) the moments stay on the device and the update runs as tensor ops, so a
 * GPU step copies nothing to the host but the gradient norm. getState() gives plain Float32Arrays
 * either way, so training jobs can checkpoint it.
 */
import * as tf from './tf'

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
  /**
   * Keep the moments on the device and update with tensor ops (no host copies of weights and
   * gradients each step). Default: on the native TensorFlow backends (tfjs-node, tfjs-node-gpu).
   */
  stateOnDevice?: boolean
}

export interface AdamWState {
  step: number
  m: Record<string, Float32Array>
  v: Record<string, Float32Array>
}

/** One parameter for AdamW.applyArrays: its weights (updated in place) and gradient. */
export interface ArrayParam {
  name: string
  shape: readonly number[]
  value: Float32Array
  grad: Float32Array
}

export interface StepInfo {
  /** Global gradient norm before clipping. */
  gradNorm: number
}

export class AdamW {
  readonly cfg: Required<Omit<AdamWConfig, 'noDecay' | 'stateOnDevice'>>
  private readonly noDecay: AdamWConfig['noDecay'] | undefined
  private t = 0
  private readonly m = new Map<string, Float32Array>()
  private readonly v = new Map<string, Float32Array>()
  /** Moments kept as device tensors by the on-device path (moved to m/v by getState). */
  private readonly dm = new Map<string, tf.Variable>()
  private readonly dv = new Map<string, tf.Variable>()
  private readonly stateOnDevice: boolean | undefined

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
    this.stateOnDevice = cfg.stateOnDevice
  }

  get step(): number {
    return this.t
  }

  setLearningRate(lr: number): void {
    this.cfg.lr = lr
  }

  /** Apply one update. `grads` is consumed (disposed). */
  apply(vars: ReadonlyMap<string, tf.Variable>, grads: tf.NamedTensorMap): StepInfo {
    const names = [...vars.keys()].filter((n) => grads[n] !== undefined)
    if (this.stateOnDevice ?? tf.getBackend() === 'tensorflow') return this.applyOnDevice(vars, grads, names)
    const params: ArrayParam[] = names.map((n) => {
      const variable = vars.get(n)!
      const raw = grads[n]!.dataSync()
      return {
        name: n,
        shape: variable.shape,
        value: Float32Array.from(variable.dataSync()),
        grad: raw instanceof Float32Array ? raw : Float32Array.from(raw)
      }
    })
    const info = this.applyArrays(params)
    for (const p of params) {
      const variable = vars.get(p.name)!
      tf.tidy(() => variable.assign(tf.tensor(p.value, variable.shape, 'float32')))
    }
    for (const n of Object.keys(grads)) grads[n]!.dispose()
    return info
  }

  /** apply() with the moments as device tensors: the same arithmetic as applyArrays in tensor ops. */
  private applyOnDevice(vars: ReadonlyMap<string, tf.Variable>, grads: tf.NamedTensorMap, names: string[]): StepInfo {
    this.t++
    const { beta1, beta2, eps, lr, weightDecay, maxGradNorm } = this.cfg
    const stepSize = lr / (1 - Math.pow(beta1, this.t))
    const ibc2 = 1 / (1 - Math.pow(beta2, this.t))
    const sq = tf.tidy(() => tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!)))))
    const gradNorm = Math.sqrt(sq.dataSync()[0] ?? 0)
    sq.dispose()
    const clip = maxGradNorm > 0 && gradNorm > maxGradNorm ? maxGradNorm / (gradNorm + 1e-6) : 1
    const moment = (
      store: Map<string, tf.Variable>,
      host: Map<string, Float32Array>,
      n: string,
      like: tf.Variable
    ): tf.Variable => {
      let x = store.get(n)
      if (x === undefined) {
        const saved = host.get(n)
        const init =
          saved !== undefined && saved.length === like.size
            ? tf.tensor(saved, like.shape, 'float32')
            : tf.zerosLike(like)
        x = tf.variable(init, false)
        init.dispose()
        host.delete(n)
        store.set(n, x)
      }
      return x
    }
    for (const n of names) {
      const w = vars.get(n)!
      const m = moment(this.dm, this.m, n, w)
      const v = moment(this.dv, this.v, n, w)
      const shrink = 1 - lr * (this.decays(n, w.shape) ? weightDecay : 0)
      tf.tidy(() => {
        const g = clip === 1 ? grads[n]! : tf.mul(grads[n]!, clip)
        const mi = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1))
        const vi = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2))
        m.assign(mi)
        v.assign(vi)
        w.assign(tf.sub(tf.mul(w, shrink), tf.div(tf.mul(mi, stepSize), tf.add(tf.sqrt(tf.mul(vi, ibc2)), eps))))
      })
    }
    for (const n of Object.keys(grads)) grads[n]!.dispose()
    return { gradNorm }
  }

  /** Frees moments held on the device. */
  dispose(): void {
    for (const x of [...this.dm.values(), ...this.dv.values()]) x.dispose()
    this.dm.clear()
    this.dv.clear()
  }

  /**
   * Apply one update to plain arrays, in place (`value`, and this optimizer's moments). Same
   * arithmetic as apply(); the fused training paths keep their weights in Float32Arrays.
   */
  applyArrays(params: readonly ArrayParam[]): StepInfo {
    this.t++
    const { beta1, beta2, eps, lr, weightDecay, maxGradNorm } = this.cfg
    const bc1 = 1 - Math.pow(beta1, this.t)
    const bc2 = 1 - Math.pow(beta2, this.t)
    let sq = 0
    for (const p of params) {
      const g = p.grad
      for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!
    }
    const gradNorm = Math.sqrt(sq)
    const clip = maxGradNorm > 0 && gradNorm > maxGradNorm ? maxGradNorm / (gradNorm + 1e-6) : 1
    const b1 = 1 - beta1
    const b2 = 1 - beta2
    const stepSize = lr / bc1
    const ibc2 = 1 / bc2
    for (const p of params) {
      const g = p.grad
      const w = p.value
      if (w.length !== g.length) throw new Error(`AdamW: ${p.name} has ${w.length} values and ${g.length} grads`)
      let m = this.m.get(p.name)
      let v = this.v.get(p.name)
      if (m === undefined || v === undefined) {
        m = new Float32Array(g.length)
        v = new Float32Array(g.length)
        this.m.set(p.name, m)
        this.v.set(p.name, v)
      }
      const decay = this.decays(p.name, p.shape) ? weightDecay : 0
      const shrink = 1 - lr * decay
      for (let i = 0; i < g.length; i++) {
        const gi = g[i]! * clip
        const mi = beta1 * m[i]! + b1 * gi
        const vi = beta2 * v[i]! + b2 * gi * gi
        m[i] = mi
        v[i] = vi
        w[i] = w[i]! * shrink - (stepSize * mi) / (Math.sqrt(vi * ibc2) + eps)
      }
    }
    return { gradNorm }
  }

  /**
   * Begin one step done outside this class (a fused onnxruntime update): advances the step count
   * and returns the bias-corrected scalars of AdamW.applyArrays for it.
   */
  beginExternalStep(): { stepSize: number; invBc2: number } {
    this.t++
    const { beta1, beta2, lr } = this.cfg
    return { stepSize: lr / (1 - Math.pow(beta1, this.t)), invBc2: 1 / (1 - Math.pow(beta2, this.t)) }
  }

  /** The weight-decay coefficient applied to a variable (0 for excluded names/shapes). */
  decayOf(name: string, shape: readonly number[]): number {
    return this.decays(name, shape) ? this.cfg.weightDecay : 0
  }

  /** Moments of `params`, packed one after the other (zeros where none yet). */
  packMoments(params: readonly { name: string; size: number }[]): { m: Float32Array; v: Float32Array } {
    const total = params.reduce((a, p) => a + p.size, 0)
    const m = new Float32Array(total)
    const v = new Float32Array(total)
    let o = 0
    for (const p of params) {
      const pm = this.m.get(p.name)
      const pv = this.v.get(p.name)
      if (pm !== undefined && pv !== undefined && pm.length === p.size && pv.length === p.size) {
        m.set(pm, o)
        v.set(pv, o)
      }
      o += p.size
    }
    return { m, v }
  }

  /** Store packed moments back (inverse of packMoments). */
  unpackMoments(params: readonly { name: string; size: number }[], m: Float32Array, v: Float32Array): void {
    let o = 0
    for (const p of params) {
      this.m.set(p.name, m.slice(o, o + p.size))
      this.v.set(p.name, v.slice(o, o + p.size))
      o += p.size
    }
  }

  private decays(name: string, shape: readonly number[]): boolean {
    if (this.noDecay !== undefined) return !this.noDecay(name, shape)
    return shape.length >= 2
  }

  getState(): AdamWState {
    const m = Object.fromEntries(this.m)
    const v = Object.fromEntries(this.v)
    for (const [n, x] of this.dm) m[n] = Float32Array.from(x.dataSync())
    for (const [n, x] of this.dv) v[n] = Float32Array.from(x.dataSync())
    return { step: this.t, m, v }
  }

  setState(s: AdamWState): void {
    this.t = s.step
    this.dispose()
    this.m.clear()
    this.v.clear()
    for (const [k, a] of Object.entries(s.m)) this.m.set(k, new Float32Array(a))
    for (const [k, a] of Object.entries(s.v)) this.v.set(k, new Float32Array(a))
  }
}
