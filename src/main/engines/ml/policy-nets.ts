/**
 * Policy and value MLPs (889-256-256-9 and 889-256-256-1, tanh) and sampling from them.
 * Parameter names follow a PyTorch nn.Sequential: net.0.weight, net.0.bias, net.2..., net.4...
 */
import * as tf from './tf'
import { ACTION_COUNT } from '../../../shared/actions'
import { AppFailure } from '../../../shared/result'
import { Rng } from './rng'
import { addVariables, disposeVariables, paramCount, readWeights, type ParamSpec } from './params'
import { ORT_BACKEND } from './onnx-kernels'
import { mlpApplyOrt } from './ppo-fused'

export const OBS_DIM = 889
export const POLICY_SIZES: readonly number[] = [OBS_DIM, 256, 256, ACTION_COUNT]
export const VALUE_SIZES: readonly number[] = [OBS_DIM, 256, 256, 1]

let mlpCounter = 0

export class Mlp {
  readonly sizes: readonly number[]
  readonly specs: ParamSpec[]
  readonly vars = new Map<string, tf.Variable>()

  constructor(sizes: readonly number[], weights: Map<string, Float32Array>) {
    if (sizes.length < 2)
      throw new AppFailure('validation', 'an MLP needs at least an input and an output size', 'sizes')
    this.sizes = sizes
    this.specs = mlpParamSpecs(sizes)
    addVariables(this.vars, this.specs, weights, `mlp${mlpCounter++}`)
  }

  static create(sizes: readonly number[], seed: number, outputGain = 0.01): Mlp {
    return new Mlp(sizes, initMlpWeights(sizes, seed, outputGain))
  }

  get paramCount(): number {
    return paramCount(this.specs)
  }

  /**
   * x [N, in] -> [N, out]; tanh between layers, linear output. On cpu-ort the whole MLP is one
   * onnxruntime graph per direction (ppo-fused.ts mlpApplyOrt).
   */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    if (tf.getBackend() === ORT_BACKEND) {
      const ws: tf.Tensor[] = []
      for (let i = 0; i + 1 < this.sizes.length; i++) {
        ws.push(this.vars.get(`net.${2 * i}.weight`)!, this.vars.get(`net.${2 * i}.bias`)!)
      }
      return mlpApplyOrt(this.sizes, x, ws)
    }
    return tf.tidy(() => {
      let h: tf.Tensor2D = x
      const L = this.sizes.length - 1
      for (let i = 0; i < L; i++) {
        const w = this.vars.get(`net.${2 * i}.weight`) as tf.Tensor2D
        const b = this.vars.get(`net.${2 * i}.bias`) as tf.Tensor1D
        h = tf.fused.matMul({ a: h, b: w, bias: b }) as tf.Tensor2D
        if (i < L - 1) h = tf.tanh(h)
      }
      return h
    })
  }

  getWeights(): Map<string, Float32Array> {
    return readWeights(this.vars)
  }

  dispose(): void {
    disposeVariables(this.vars)
  }
}

export function mlpParamSpecs(sizes: readonly number[]): ParamSpec[] {
  const specs: ParamSpec[] = []
  for (let i = 0; i + 1 < sizes.length; i++) {
    specs.push(
      { name: `net.${2 * i}.weight`, torchShape: [sizes[i + 1]!, sizes[i]!], kind: 'linear' },
      { name: `net.${2 * i}.bias`, torchShape: [sizes[i + 1]!], kind: 'vector' }
    )
  }
  return specs
}

/** Orthogonal-like init is what SB3 uses; scaled uniform (Glorot) is close enough and cheap. */
export function initMlpWeights(sizes: readonly number[], seed: number, outputGain: number): Map<string, Float32Array> {
  const rng = new Rng(seed)
  const out = new Map<string, Float32Array>()
  const L = sizes.length - 1
  for (let i = 0; i < L; i++) {
    const fin = sizes[i]!
    const fout = sizes[i + 1]!
    const gain = i === L - 1 ? outputGain : 1
    out.set(`net.${2 * i}.weight`, rng.fillUniform(fin * fout, gain * Math.sqrt(6 / (fin + fout))))
    out.set(`net.${2 * i}.bias`, new Float32Array(fout))
  }
  return out
}

export class PolicyValueNets {
  readonly policy: Mlp
  readonly value: Mlp
  /** Both nets' variables, prefixed 'policy.' / 'value.' (one optimizer over both). */
  readonly vars = new Map<string, tf.Variable>()

  constructor(policy: Mlp, value: Mlp) {
    this.policy = policy
    this.value = value
    for (const [n, v] of policy.vars) this.vars.set(`policy.${n}`, v)
    for (const [n, v] of value.vars) this.vars.set(`value.${n}`, v)
  }

  static create(seed: number): PolicyValueNets {
    return new PolicyValueNets(Mlp.create(POLICY_SIZES, seed, 0.01), Mlp.create(VALUE_SIZES, seed + 1, 1))
  }

  dispose(): void {
    this.policy.dispose()
    this.value.dispose()
    this.vars.clear()
  }
}

/** Sample one action per observation (for rollouts); returns actions, log-probs and values. */
export function actBatch(
  nets: PolicyValueNets,
  obs: Float32Array,
  n: number,
  rng: Rng
): { actions: Int32Array; logProbs: Float32Array; values: Float32Array } {
  const D = nets.policy.sizes[0]!
  return tf.tidy(() => {
    const x = tf.tensor2d(obs, [n, D])
    const lp = tf.logSoftmax(nets.policy.apply(x)).dataSync()
    const v = nets.value.apply(x).dataSync()
    const A = nets.policy.sizes[nets.policy.sizes.length - 1]!
    const actions = new Int32Array(n)
    const logProbs = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      let u = rng.next()
      let a = A - 1
      for (let j = 0; j < A; j++) {
        u -= Math.exp(lp[i * A + j]!)
        if (u <= 0) {
          a = j
          break
        }
      }
      actions[i] = a
      logProbs[i] = lp[i * A + a]!
    }
    return { actions, logProbs, values: Float32Array.from(v) }
  })
}
