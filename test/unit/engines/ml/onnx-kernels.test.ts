import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../src/main/engines/ml/tf'
import { Rng } from '../../../../src/main/engines/ml/rng'
import { kernelStats } from '../../../../src/main/engines/ml/onnx-kernels'
import { layerNorm, gelu, maskedSoftmax, selfAttention } from '../../../../src/main/engines/ml/ops'
import {
  RewardModel,
  randomRewardInputs,
  bradleyTerryLoss,
  disposeInputs
} from '../../../../src/main/engines/ml/reward-model'
import { Mlp } from '../../../../src/main/engines/ml/policy-nets'
import { setupBackends, on, ORT_BACKEND, relDiff, maxAbsDiff } from './helpers'

const TOL = 1e-5

function data(shape: number[], seed: number): Float32Array {
  return new Rng(seed).fillNormal(
    shape.reduce((a, b) => a * b, 1),
    1
  )
}

beforeAll(setupBackends)

async function both(fn: () => Float32Array[]): Promise<[Float32Array[], Float32Array[]]> {
  const ref = await on('cpu', () => tf.tidy(fn))
  kernelStats(true)
  const ort = await on(ORT_BACKEND, () => tf.tidy(fn))
  return [ref, ort]
}

const arr = (t: tf.Tensor): Float32Array => Float32Array.from(t.dataSync())

describe('onnxruntime matmul kernels match the tfjs cpu backend', () => {
  it('BatchMatMul: every transpose combination, 2-D and batched, with batch broadcasting', async () => {
    const cases: [number[], number[], boolean, boolean][] = []
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a2 = ta ? [24, 17] : [17, 24]
        const b2 = tb ? [19, 24] : [24, 19]
        cases.push([a2, b2, ta, tb], [[3, ...a2], [3, ...b2], ta, tb], [[2, 3, ...a2], [1, 1, ...b2], ta, tb])
      }
    }
    for (const [sa, sb, ta, tb] of cases) {
      const [ref, ort] = await both(() => [
        arr(tf.matMul(tf.tensor(data(sa, 1), sa), tf.tensor(data(sb, 2), sb), ta, tb))
      ])
      expect(relDiff(ort[0]!, ref[0]!), JSON.stringify([sa, sb, ta, tb])).toBeLessThan(TOL)
    }
    expect(kernelStats().get('BatchMatMul')?.calls ?? 0).toBeGreaterThan(0)
  })

  it('_FusedMatMul with bias and each activation', async () => {
    for (const activation of ['linear', 'relu', 'elu', 'leakyrelu', 'sigmoid', 'prelu'] as const) {
      for (const [ta, tb] of [
        [false, false],
        [true, true]
      ] as const) {
        const [ref, ort] = await both(() => {
          const a = tf.tensor(data([40, 32], 3), ta ? [32, 40] : [40, 32])
          const b = tf.tensor(data([32, 20], 4), tb ? [20, 32] : [32, 20])
          const bias = tf.tensor(data([20], 5), [20])
          const prelu = tf.tensor(data([20], 6), [20])
          const y = tf.fused.matMul({
            a: a as tf.Tensor2D,
            b: b as tf.Tensor2D,
            transposeA: ta,
            transposeB: tb,
            bias,
            activation,
            ...(activation === 'prelu' ? { preluActivationWeights: prelu } : {}),
            ...(activation === 'leakyrelu' ? { leakyreluAlpha: 0.1 } : {})
          })
          return [arr(y)]
        })
        expect(relDiff(ort[0]!, ref[0]!), `${activation} ${ta} ${tb}`).toBeLessThan(TOL)
      }
    }
    expect(kernelStats().get('_FusedMatMul')?.calls ?? 0).toBeGreaterThan(0)
  })

  it('gradients of matMul and fused matMul (the backward matmuls) match', async () => {
    const [ref, ort] = await both(() => {
      const a = tf.tensor(data([2, 30, 40], 7), [2, 30, 40])
      const b = tf.tensor(data([2, 40, 25], 8), [2, 40, 25])
      const w = tf.tensor(data([40, 16], 9), [40, 16])
      const bias = tf.tensor(data([16], 10), [16])
      const x = tf.tensor(data([50, 40], 11), [50, 40])
      const g1 = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, q, false, false))))([a, b])
      const g2 = tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.matMul({ a: p as tf.Tensor2D, b: q as tf.Tensor2D, bias: r, activation: 'relu' })))
      )([x, w, bias])
      return [...g1, ...g2].map(arr)
    })
    for (let i = 0; i < ref.length; i++) expect(relDiff(ort[i]!, ref[i]!), `grad ${i}`).toBeLessThan(TOL)
  })

  it('transpose, sum and broadcasting elementwise kernels match', async () => {
    const [ref, ort] = await both(() => {
      const x = tf.tensor(data([4, 30, 5, 40], 12), [4, 30, 5, 40])
      const y = tf.tensor(data([30, 1, 40], 13), [30, 1, 40])
      return [
        arr(tf.transpose(x, [2, 0, 3, 1])),
        arr(tf.sum(x, 0)),
        arr(tf.sum(x, [1, 3], true)),
        arr(tf.add(x, y)),
        arr(tf.sub(x, y)),
        arr(tf.mul(x, y)),
        arr(tf.div(x, tf.add(tf.abs(y), 1)))
      ]
    })
    for (let i = 0; i < ref.length; i++) expect(relDiff(ort[i]!, ref[i]!), `op ${i}`).toBeLessThan(TOL)
  })
})

describe('fused ops match tfjs composite ops (values and gradients)', () => {
  it('layerNorm, gelu and masked softmax on cpu and cpu-ort', async () => {
    const composite = (): Float32Array[] => {
      const x = tf.tensor(data([6, 32], 20), [6, 32])
      const g = tf.tensor(data([32], 21), [32])
      const b = tf.tensor(data([32], 22), [32])
      const ln = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor): tf.Tensor => {
        const { mean, variance } = tf.moments(p, -1, true)
        return tf.add(tf.mul(tf.div(tf.sub(p, mean), tf.sqrt(tf.add(variance, 1e-5))), q), r)
      }
      const w = tf.tensor(data([6, 32], 23), [6, 32])
      const lnG = tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(ln(p, q, r), w)))([x, g, b])
      const geluRef = (p: tf.Tensor): tf.Tensor => tf.mul(tf.mul(p, 0.5), tf.add(1, tf.erf(tf.mul(p, Math.SQRT1_2))))
      const geluG = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(geluRef(p), w)))(x)
      const s = tf.tensor(data([2, 2, 5, 7], 24), [2, 2, 5, 7])
      const maskBias = tf.tensor([0, 0, 0, 0, 0, -1e9, -1e9, 0, 0, 0, 0, 0, 0, 0], [2, 7])
      const ws = tf.tensor(data([2, 2, 5, 7], 25), [2, 2, 5, 7])
      const smRef = (p: tf.Tensor): tf.Tensor => tf.softmax(tf.add(tf.mul(p, 0.3), tf.reshape(maskBias, [2, 1, 1, 7])))
      const smG = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(smRef(p), ws)))(s)
      return [arr(ln(x, g, b)), ...lnG.map(arr), arr(geluRef(x)), arr(geluG), arr(smRef(s)), arr(smG)]
    }
    const fused = (): Float32Array[] => {
      const x = tf.tensor(data([6, 32], 20), [6, 32])
      const g = tf.tensor(data([32], 21), [32])
      const b = tf.tensor(data([32], 22), [32])
      const w = tf.tensor(data([6, 32], 23), [6, 32])
      const lnG = tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(layerNorm(p, q, r), w)))([
        x,
        g,
        b
      ])
      const geluG = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(gelu(p), w)))(x)
      const s = tf.tensor(data([2, 2, 5, 7], 24), [2, 2, 5, 7])
      const maskBias = tf.tensor([0, 0, 0, 0, 0, -1e9, -1e9, 0, 0, 0, 0, 0, 0, 0], [2, 7])
      const ws = tf.tensor(data([2, 2, 5, 7], 25), [2, 2, 5, 7])
      const smG = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(maskedSoftmax(p, maskBias, 0.3), ws)))(s)
      return [
        arr(layerNorm(x, g, b)),
        ...lnG.map(arr),
        arr(gelu(x)),
        arr(geluG),
        arr(maskedSoftmax(s, maskBias, 0.3)),
        arr(smG)
      ]
    }
    const ref = await on('cpu', () => tf.tidy(composite))
    for (const be of ['cpu', ORT_BACKEND]) {
      const got = await on(be, () => tf.tidy(fused))
      for (let i = 0; i < ref.length; i++) expect(relDiff(got[i]!, ref[i]!), `${be} output ${i}`).toBeLessThan(2e-5)
    }
  })

  it('self-attention (one onnxruntime graph per direction on cpu-ort) matches the composite', async () => {
    const run = (): Float32Array[] => {
      const qkv = tf.tensor(data([2 * 6, 3 * 8], 30), [12, 24])
      const maskBias = tf.tensor([0, 0, 0, 0, -1e9, -1e9, 0, 0, 0, 0, 0, 0], [2, 6])
      const w = tf.tensor(data([12, 8], 31), [12, 8])
      const g = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(selfAttention(p, maskBias, 2, 6, 2), w)))(qkv)
      return [arr(selfAttention(qkv, maskBias, 2, 6, 2)), arr(g)]
    }
    const [ref, ort] = await both(run)
    for (let i = 0; i < ref.length; i++) expect(relDiff(ort[i]!, ref[i]!), `output ${i}`).toBeLessThan(TOL)
  })
})

describe('gradients through tiny models match between cpu and cpu+onnxruntime', () => {
  it('reward transformer (Bradley-Terry loss) and policy MLP', async () => {
    const cfg = { dModel: 16, layers: 2, heads: 2, ffDim: 32, maxBeats: 16 }
    const run = (): Float32Array[] => {
      const m = RewardModel.create(cfg, 3)
      const c = randomRewardInputs(2, 16, 4)
      const r = randomRewardInputs(2, 16, 5)
      const { value, grads } = tf.variableGrads(() => bradleyTerryLoss(m.apply(c), m.apply(r)), [...m.vars.values()])
      const out = [arr(value), ...[...m.vars.values()].map((v) => arr(grads[v.name]!))]
      const mlp = Mlp.create([889, 64, 64, 9], 8, 1)
      const x = tf.tensor2d(data([5, 889], 9), [5, 889])
      const mg = tf.variableGrads(() => tf.sum(tf.square(mlp.apply(x))), [...mlp.vars.values()])
      out.push(arr(mg.value), ...[...mlp.vars.values()].map((v) => arr(mg.grads[v.name]!)))
      m.dispose()
      mlp.dispose()
      disposeInputs(c)
      disposeInputs(r)
      return out
    }
    const [ref, ort] = await both(run)
    expect(ort.length).toBe(ref.length)
    for (let i = 0; i < ref.length; i++) expect(relDiff(ort[i]!, ref[i]!), `tensor ${i}`).toBeLessThan(1e-4)
    expect(maxAbsDiff(ort[0]!, ref[0]!)).toBeLessThan(1e-5)
  })
})
