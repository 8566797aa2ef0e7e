/**
 * Finite-difference checks of the hand-written gradients: the masked PPO loss (masked-ppo.ts), the
 * fused PPO loss (ppo-fused.ts), both MLPs' onnxruntime backward graph, and the MLP custom op that
 * tfjs uses on the cpu+onnxruntime backend (mlpApplyOrt) — the paths a GPU machine does not take.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../../src/main/engines/ml/tf'
import { maskedPpoLossGrad, type MaskedMinibatch } from '../../../../../src/main/engines/ml/rlhf/masked-ppo'
import {
  mlpApplyOrt,
  mlpPairBackward,
  mlpPairForward,
  ppoLossGrad,
  type MlpArrays
} from '../../../../../src/main/engines/ml/ppo-fused'
import { Rng } from '../../../../../src/main/engines/ml/rng'
import { FusedMaskedPpo, tfjsMaskedPpoStep } from '../../../../../src/main/engines/ml/rlhf/masked-ppo'
import { Mlp, PolicyValueNets } from '../../../../../src/main/engines/ml/policy-nets'
import { createPpoOptimizer } from '../../../../../src/main/engines/ml/ppo'
import { ORT_BACKEND, relDiff, setupBackends } from '../helpers'

beforeAll(setupBackends)

const A = 9

function batch(n: number, D: number, seed: number): MaskedMinibatch {
  const rng = new Rng(seed)
  const masks = new Uint8Array(n * A)
  const actions = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < A; a++) masks[i * A + a] = a === 0 || rng.next() < 0.6 ? 1 : 0
    const allowed = [...Array(A).keys()].filter((a) => masks[i * A + a] === 1)
    actions[i] = allowed[Math.floor(rng.next() * allowed.length)]!
  }
  const oldLogProbs = new Float32Array(n)
  // ratios well inside and well outside the clip range, away from its kinks
  for (let i = 0; i < n; i++) oldLogProbs[i] = -1.5 + (i % 3 === 0 ? 0.7 : i % 3 === 1 ? -0.7 : 0)
  return {
    n,
    obs: rng.fillNormal(n * D, 1),
    masks,
    actions,
    oldLogProbs,
    advantages: rng.fillNormal(n, 1),
    returns: rng.fillNormal(n, 1),
    oldValues: rng.fillNormal(n, 0.5)
  }
}

/** Central differences of f at every entry of x (float64 loss of a float32 input). */
function numericGrad(x: Float32Array, f: () => number, eps: number, only?: number[]): Map<number, number> {
  const out = new Map<number, number>()
  for (const i of only ?? [...x.keys()]) {
    const keep = x[i]!
    x[i] = keep + eps
    const up = f()
    x[i] = keep - eps
    const down = f()
    x[i] = keep
    out.set(i, (up - down) / (2 * eps))
  }
  return out
}

function expectClose(analytic: ArrayLike<number>, numeric: Map<number, number>, abs: number, rel: number): void {
  for (const [i, g] of numeric)
    expect(Math.abs(analytic[i]! - g), `entry ${i}: ${analytic[i]} vs ${g}`).toBeLessThan(abs + rel * Math.abs(g))
}

describe('finite differences', () => {
  for (const clipRangeVf of [undefined, 0.3]) {
    it(`masked PPO loss: d/dlogits and d/dvalues (value clip ${String(clipRangeVf)})`, () => {
      const mb = batch(12, 4, 1)
      const rng = new Rng(9)
      const logits = rng.fillNormal(12 * A, 1)
      const values = rng.fillNormal(12, 1)
      const cfg = { clipRange: 0.2, clipRangeVf, vfCoef: 0.5, entCoef: 0.05 }
      const g = maskedPpoLossGrad(logits, values, mb, cfg, A)
      const loss = (): number => maskedPpoLossGrad(logits, values, mb, cfg, A).loss
      const allowedRows = [...logits.keys()].filter((k) => mb.masks[k] === 1)
      expectClose(g.dLogits, numericGrad(logits, loss, 1e-3, allowedRows), 1e-4, 1e-2)
      expectClose(g.dValues, numericGrad(values, loss, 1e-3), 1e-4, 1e-2)
      // masked logits get no gradient at all
      for (let k = 0; k < logits.length; k++) if (mb.masks[k] === 0) expect(g.dLogits[k]).toBe(0)
    })
  }

  it('fused PPO loss (ppo-fused.ts ppoLossGrad)', () => {
    const mb = batch(10, 4, 2)
    const rng = new Rng(3)
    const logits = rng.fillNormal(10 * A, 1)
    const values = rng.fillNormal(10, 1)
    const args = {
      n: 10,
      A,
      logits,
      values,
      actions: mb.actions,
      oldLogProbs: mb.oldLogProbs,
      advantages: mb.advantages,
      returns: mb.returns,
      oldValues: mb.oldValues,
      clipRange: 0.2,
      clipRangeVf: 0.3,
      vfCoef: 0.5,
      entCoef: 0.05
    }
    const g = ppoLossGrad(args)
    const loss = (): number => {
      const s = ppoLossGrad(args).stats
      return s.pl + args.vfCoef * s.vl - args.entCoef * s.ent
    }
    expectClose(g.dLogits, numericGrad(logits, loss, 1e-3), 1e-4, 1e-2)
    expectClose(g.dValues, numericGrad(values, loss, 1e-3), 1e-4, 1e-2)
  })

  it('both MLPs backward graph on onnxruntime (mlpPairBackward)', () => {
    const rng = new Rng(5)
    const mk = (sizes: number[]): MlpArrays => ({
      sizes,
      w: sizes.slice(0, -1).map((s, i) => rng.fillNormal(s * sizes[i + 1]!, 0.4)),
      b: sizes.slice(1).map((s) => rng.fillNormal(s, 0.2))
    })
    const p = mk([6, 5, 4, 9])
    const v = mk([6, 5, 4, 1])
    const n = 7
    const x = rng.fillNormal(n * 6, 1)
    const cl = rng.fillNormal(n * 9, 1)
    const cv = rng.fillNormal(n, 1)
    const probe = (): number => {
      const f = mlpPairForward(p, v, x, n)
      let s = 0
      for (let i = 0; i < f.logits.length; i++) s += f.logits[i]! * cl[i]!
      for (let i = 0; i < n; i++) s += f.values[i]! * cv[i]!
      return s
    }
    const fwd = mlpPairForward(p, v, x, n)
    const g = mlpPairBackward(p, v, x, n, fwd, cl, cv)
    for (const [arr, grad] of [
      [p.w[0]!, g.p.w[0]!],
      [p.b[1]!, g.p.b[1]!],
      [p.w[2]!, g.p.w[2]!],
      [v.w[0]!, g.v.w[0]!],
      [v.b[2]!, g.v.b[2]!]
    ] as const) {
      const idx = [...new Set([0, 1, 3, Math.floor(arr.length / 2), arr.length - 1])].filter((i) => i < arr.length)
      expectClose(grad, numericGrad(arr, probe, 1e-2, idx), 3e-3, 2e-2)
    }
  })

  it('the MLP custom op of the cpu+onnxruntime backend (mlpApplyOrt): inputs and weights', async () => {
    await tf.setBackend(ORT_BACKEND)
    const sizes = [5, 6, 3]
    const rng = new Rng(8)
    const x = rng.fillNormal(4 * 5, 1)
    const w0 = rng.fillNormal(30, 0.5)
    const b0 = rng.fillNormal(6, 0.2)
    const w1 = rng.fillNormal(18, 0.5)
    const b1 = rng.fillNormal(3, 0.2)
    const c = rng.fillNormal(12, 1)
    const f = (xs: tf.Tensor[]): tf.Scalar =>
      tf.sum(tf.mul(mlpApplyOrt(sizes, xs[0] as tf.Tensor2D, xs.slice(1)), tf.tensor2d(c, [4, 3])))
    const inputs = (): tf.Tensor[] => [
      tf.tensor2d(x, [4, 5]),
      tf.tensor2d(w0, [5, 6]),
      tf.tensor1d(b0),
      tf.tensor2d(w1, [6, 3]),
      tf.tensor1d(b1)
    ]
    const grads = tf
      .grads((...xs: tf.Tensor[]) => f(xs))(inputs())
      .map((t) => t.dataSync())
    const probe = (): number => tf.tidy(() => f(inputs()).dataSync()[0]!)
    ;[x, w0, b0, w1, b1].forEach((arr, k) => expectClose(grads[k]!, numericGrad(arr, probe, 1e-2), 3e-3, 2e-2))
    await tf.setBackend('cpu')
  })
})

describe('masked PPO step: tfjs ops and the fused onnxruntime path agree', () => {
  it('same statistics and the same weights after one step', async () => {
    const mb = batch(16, 889, 4)
    const run = async (fused: boolean): Promise<{ stats: object; w: Float32Array[] }> => {
      await tf.setBackend(fused ? ORT_BACKEND : 'cpu')
      const nets = new PolicyValueNets(Mlp.create([889, 24, 9], 1, 0.5), Mlp.create([889, 24, 1], 2, 1))
      const opt = createPpoOptimizer(1e-3, 0.5)
      const cfg = { clipRange: 0.2, clipRangeVf: 0.3, vfCoef: 0.5, entCoef: 0.01 }
      let stats: object | null
      if (fused) {
        const f = new FusedMaskedPpo(nets, opt)
        stats = f.step(mb, cfg, A)
        f.commit()
      } else stats = tfjsMaskedPpoStep(nets, opt, mb, cfg, A)
      const w = [...nets.vars.values()].map((v) => Float32Array.from(v.dataSync()))
      nets.dispose()
      return { stats: stats!, w }
    }
    const a = await run(false)
    const b = await run(true)
    for (const [k, v] of Object.entries(a.stats))
      expect((b.stats as Record<string, number>)[k]).toBeCloseTo(v as number, 4)
    a.w.forEach((w, i) => expect(relDiff(b.w[i]!, w)).toBeLessThan(1e-4))
    await tf.setBackend('cpu')
  })
})
