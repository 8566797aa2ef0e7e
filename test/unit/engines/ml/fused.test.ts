import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../src/main/engines/ml/tf'
import { Mlp, PolicyValueNets } from '../../../../src/main/engines/ml/policy-nets'
import {
  ppoUpdate,
  createPpoOptimizer,
  randomPpoBatch,
  type PpoConfig,
  type PpoStats
} from '../../../../src/main/engines/ml/ppo'
import { mlpPairForward, mlpPairBackward, ppoLossGrad, type MlpArrays } from '../../../../src/main/engines/ml/ppo-fused'
import { kernelStats } from '../../../../src/main/engines/ml/onnx-kernels'
import { layerNorm, gelu, linear } from '../../../../src/main/engines/ml/ops'
import { AdamW, type ArrayParam } from '../../../../src/main/engines/ml/optim'
import { WasmAdamArena, wasmAdamAvailable, setWasmAdamEnabled } from '../../../../src/main/engines/ml/adam-wasm'
import { Rng } from '../../../../src/main/engines/ml/rng'
import { setupBackends, ORT_BACKEND, relDiff } from './helpers'

beforeAll(setupBackends)

function makeNets(seed: number): PolicyValueNets {
  return new PolicyValueNets(Mlp.create([889, 48, 40, 9], seed, 0.5), Mlp.create([889, 48, 40, 1], seed + 1, 1))
}

function arrays(m: Mlp): MlpArrays {
  const L = m.sizes.length - 1
  const w: Float32Array[] = []
  const b: Float32Array[] = []
  for (let i = 0; i < L; i++) {
    w.push(Float32Array.from(m.vars.get(`net.${2 * i}.weight`)!.dataSync()))
    b.push(Float32Array.from(m.vars.get(`net.${2 * i}.bias`)!.dataSync()))
  }
  return { sizes: m.sizes, w, b }
}

function weights(nets: PolicyValueNets): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>()
  for (const [n, v] of nets.vars) out.set(n, Float32Array.from(v.dataSync()))
  return out
}

describe('fused PPO step (onnxruntime forward/backward, JS loss) matches the tfjs reference', () => {
  for (const clipRangeVf of [undefined, 0.05]) {
    it(`loss gradients of both nets, value clip ${String(clipRangeVf)}`, async () => {
      await tf.setBackend('cpu')
      const nets = makeNets(4)
      // non-zero biases so their gradients and the forward's bias path are exercised
      for (const v of nets.vars.values()) {
        if (v.shape.length === 1) v.assign(tf.tensor(new Rng(v.size).fillNormal(v.size, 0.3), v.shape))
      }
      const n = 24
      const batch = randomPpoBatch(n, 5)
      // some ratios far outside the clip range, on both sides
      for (let i = 0; i < n; i++) batch.logProbs[i] = batch.logProbs[i]! + (i % 3 === 0 ? 0.7 : i % 3 === 1 ? -0.7 : 0)
      const cfg = { clipRange: 0.2, vfCoef: 0.5, entCoef: 0.01 }
      const actT = tf.oneHot(tf.tensor1d(batch.actions, 'int32'), 9, 1, 0, 'float32')
      const obsT = tf.tensor2d(batch.obs, [n, 889])
      const { value, grads } = tf.variableGrads(() => {
        const logpAll = tf.logSoftmax(nets.policy.apply(obsT))
        const logRatio = tf.sub(tf.sum(tf.mul(logpAll, actT), 1), tf.tensor1d(batch.logProbs))
        const ratio = tf.exp(logRatio)
        const adv = tf.tensor1d(batch.advantages)
        const pl = tf.neg(tf.mean(tf.minimum(tf.mul(ratio, adv), tf.mul(tf.clipByValue(ratio, 0.8, 1.2), adv))))
        const v = tf.reshape(nets.value.apply(obsT), [n])
        const ret = tf.tensor1d(batch.returns)
        let vl: tf.Tensor
        if (clipRangeVf !== undefined) {
          const ov = tf.tensor1d(batch.values!)
          const vc = tf.add(ov, tf.clipByValue(tf.sub(v, ov), -clipRangeVf, clipRangeVf))
          vl = tf.mean(tf.maximum(tf.square(tf.sub(ret, v)), tf.square(tf.sub(ret, vc))))
        } else {
          vl = tf.mean(tf.square(tf.sub(ret, v)))
        }
        const ent = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logpAll), logpAll), 1)))
        return tf.add(tf.add(pl, tf.mul(cfg.vfCoef, vl)), tf.mul(-cfg.entCoef, ent)) as tf.Scalar
      }, [...nets.vars.values()])
      const refLoss = value.dataSync()[0]!
      const p = arrays(nets.policy)
      const v = arrays(nets.value)
      kernelStats(true)
      const fwd = mlpPairForward(p, v, batch.obs, n)
      const lg = ppoLossGrad({
        n,
        A: 9,
        logits: fwd.logits,
        values: fwd.values,
        actions: batch.actions,
        oldLogProbs: batch.logProbs,
        advantages: batch.advantages,
        returns: batch.returns,
        oldValues: clipRangeVf === undefined ? null : batch.values!,
        clipRange: cfg.clipRange,
        clipRangeVf,
        vfCoef: cfg.vfCoef,
        entCoef: cfg.entCoef
      })
      const g = mlpPairBackward(p, v, batch.obs, n, fwd, lg.dLogits, lg.dValues)
      expect(kernelStats().get('ppo_fwd')?.calls).toBe(1)
      expect(kernelStats().get('ppo_bwd')?.calls).toBe(1)
      expect(lg.stats.clip).toBeGreaterThan(0.3)
      const fusedLoss = lg.stats.pl + cfg.vfCoef * lg.stats.vl - cfg.entCoef * lg.stats.ent
      expect(Math.abs(fusedLoss - refLoss)).toBeLessThan(1e-5 * (1 + Math.abs(refLoss)))
      for (const [prefix, gr] of [
        ['policy', g.p],
        ['value', g.v]
      ] as const) {
        for (let i = 0; i < gr.w.length; i++) {
          const rw = grads[nets.vars.get(`${prefix}.net.${2 * i}.weight`)!.name]!.dataSync()
          const rb = grads[nets.vars.get(`${prefix}.net.${2 * i}.bias`)!.name]!.dataSync()
          expect(relDiff(gr.w[i]!, rw), `${prefix} W${i}`).toBeLessThan(1e-5)
          expect(relDiff(gr.b[i]!, rb), `${prefix} b${i}`).toBeLessThan(1e-5)
        }
      }
      nets.dispose()
    })
  }

  it('ppoUpdate: fused (cpu-ort, auto) and tfjs (cpu) give the same weights and stats', async () => {
    const batch = randomPpoBatch(192, 6)
    const cfg: Partial<PpoConfig> = { epochs: 2, minibatch: 64, seed: 9, clipRangeVf: 0.2 }
    const run = async (backend: string, impl: PpoConfig['impl']): Promise<[Map<string, Float32Array>, PpoStats]> => {
      await tf.setBackend(backend)
      const nets = makeNets(2)
      const opt = createPpoOptimizer(1e-3)
      const stats = ppoUpdate(nets, opt, batch, { ...cfg, impl })
      expect(opt.step).toBe(6)
      const w = weights(nets)
      nets.dispose()
      return [w, stats]
    }
    const [refW, refS] = await run('cpu', 'tfjs')
    kernelStats(true)
    const [fw, fs] = await run(ORT_BACKEND, 'auto')
    expect(kernelStats().get('ppo_bwd')?.calls).toBe(6)
    for (const [k, w] of refW) expect(relDiff(fw.get(k)!, w), k).toBeLessThan(1e-4)
    expect(fs.minibatches).toBe(refS.minibatches)
    for (const key of ['policyLoss', 'valueLoss', 'entropy', 'approxKl', 'clipFraction'] as const) {
      expect(Math.abs(fs[key] - refS[key]), key).toBeLessThan(1e-4 * (1 + Math.abs(refS[key])))
    }
  })

  it('ppoUpdate fused without the WebAssembly AdamW kernel (AdamW.applyArrays fallback) matches too', async () => {
    expect(wasmAdamAvailable()).toBe(true)
    const batch = randomPpoBatch(128, 12)
    const cfg: Partial<PpoConfig> = { epochs: 2, minibatch: 64, seed: 1 }
    await tf.setBackend(ORT_BACKEND)
    const a = makeNets(5)
    const b = makeNets(5)
    ppoUpdate(a, createPpoOptimizer(1e-3), batch, { ...cfg, impl: 'fused' })
    const prev = setWasmAdamEnabled(false)
    try {
      expect(wasmAdamAvailable()).toBe(false)
      ppoUpdate(b, createPpoOptimizer(1e-3), batch, { ...cfg, impl: 'fused' })
    } finally {
      setWasmAdamEnabled(prev)
    }
    const wa = weights(a)
    for (const [k, w] of weights(b)) expect(relDiff(wa.get(k)!, w), k).toBeLessThan(1e-5)
    a.dispose()
    b.dispose()
  })

  it('ppoUpdate fused: target-KL early stop leaves the variables at the last applied step', async () => {
    await tf.setBackend(ORT_BACKEND)
    const batch = randomPpoBatch(256, 3)
    for (let i = 0; i < 256; i++) batch.advantages[i] = batch.actions[i] === 2 ? 1 : -0.2
    const a = makeNets(1)
    const b = makeNets(1)
    const sa = ppoUpdate(a, createPpoOptimizer(0.05), batch, { epochs: 10, targetKl: 1e-4, seed: 2, impl: 'fused' })
    const sb = ppoUpdate(b, createPpoOptimizer(0.05), batch, { epochs: 10, targetKl: 1e-4, seed: 2, impl: 'tfjs' })
    expect(sa.earlyStopped).toBe(true)
    expect(sa.minibatches).toBe(sb.minibatches)
    const wa = weights(a)
    const wb = weights(b)
    for (const [k, w] of wb) expect(relDiff(wa.get(k)!, w), k).toBeLessThan(1e-4)
    a.dispose()
    b.dispose()
  })
})

describe('AdamW array paths', () => {
  it('applyArrays gives bit-identical results to apply() on tfjs variables', async () => {
    await tf.setBackend('cpu')
    const shapes = [[7, 5], [5], [3, 4]]
    const vals = shapes.map((s, i) =>
      new Rng(10 + i).fillNormal(
        s.reduce((a, b) => a * b, 1),
        1
      )
    )
    const vars = new Map(shapes.map((s, i) => [`p${i}`, tf.variable(tf.tensor(vals[i]!, s))] as const))
    const arrs: ArrayParam[] = shapes.map((s, i) => ({
      name: `p${i}`,
      shape: s,
      value: Float32Array.from(vals[i]!),
      grad: new Float32Array(0)
    }))
    const a = createPpoOptimizer(1e-2, 0.3)
    const b = createPpoOptimizer(1e-2, 0.3)
    for (let step = 0; step < 3; step++) {
      const gs = shapes.map((s, i) =>
        new Rng(100 * step + i).fillNormal(
          s.reduce((x, y) => x * y, 1),
          2
        )
      )
      const named: tf.NamedTensorMap = {}
      shapes.forEach((s, i) => (named[`p${i}`] = tf.tensor(gs[i]!, s)))
      const ia = a.apply(vars, named)
      arrs.forEach((p, i) => (p.grad = gs[i]!))
      const ib = b.applyArrays(arrs)
      expect(ib.gradNorm).toBe(ia.gradNorm)
    }
    arrs.forEach((p, i) => {
      const got = Float32Array.from(vars.get(`p${i}`)!.dataSync())
      expect(Buffer.from(got.buffer).equals(Buffer.from(p.value.buffer))).toBe(true)
    })
    expect(a.step).toBe(b.step)
    const layout = shapes.map((s, i) => ({ name: `p${i}`, size: s.reduce((x, y) => x * y, 1) }))
    const packed = b.packMoments(layout)
    const c = createPpoOptimizer()
    c.unpackMoments(layout, packed.m, packed.v)
    expect(c.getState().m).toEqual(b.getState().m)
    expect(c.getState().v).toEqual(b.getState().v)
    for (const v of vars.values()) v.dispose()
  })

  it('the WebAssembly SIMD kernel matches applyArrays (decay, clip, odd sizes)', () => {
    const sizes = [13, 1, 64, 7]
    const arena = new WasmAdamArena(sizes)
    const params: ArrayParam[] = sizes.map((n, i) => ({
      name: `p${i}`,
      shape: i % 2 === 0 ? [1, n] : [n],
      value: new Rng(30 + i).fillNormal(n, 1),
      grad: new Float32Array(n)
    }))
    params.forEach((p, i) => arena.w[i]!.set(p.value))
    const opt = new AdamW({ lr: 1e-2, weightDecay: 0.1, eps: 1e-6, maxGradNorm: 0.7 })
    const shadow = new AdamW({ lr: 1e-2, weightDecay: 0.1, eps: 1e-6, maxGradNorm: 0.7 })
    for (let step = 0; step < 4; step++) {
      let sq = 0
      params.forEach((p, i) => {
        p.grad = new Rng(step * 10 + i).fillNormal(p.value.length, 1)
        arena.g[i]!.set(p.grad)
        for (const x of p.grad) sq += x * x
      })
      const info = opt.applyArrays(params)
      expect(Math.abs(info.gradNorm - Math.sqrt(sq))).toBeLessThan(1e-9)
      const { stepSize, invBc2 } = shadow.beginExternalStep()
      const clip = info.gradNorm > 0.7 ? 0.7 / (info.gradNorm + 1e-6) : 1
      arena.step(
        { clip, beta1: 0.9, beta2: 0.999, eps: 1e-6, stepSize, invBc2 },
        params.map((p) => 1 - 1e-2 * shadow.decayOf(p.name, p.shape))
      )
    }
    params.forEach((p, i) => {
      expect(relDiff(arena.w[i]!, p.value), p.name).toBeLessThan(1e-6)
      expect(relDiff(arena.m[i]!, opt.getState().m[p.name]!), p.name).toBeLessThan(1e-6)
      expect(relDiff(arena.v[i]!, opt.getState().v[p.name]!), p.name).toBeLessThan(1e-6)
    })
  })

  it('alternating fused and tfjs PPO updates share the optimizer state', async () => {
    const batch = randomPpoBatch(128, 8)
    const cfg: Partial<PpoConfig> = { epochs: 1, minibatch: 64, seed: 4 }
    await tf.setBackend(ORT_BACKEND)
    const a = makeNets(3)
    const oa = createPpoOptimizer(1e-3)
    ppoUpdate(a, oa, batch, { ...cfg, impl: 'fused' })
    ppoUpdate(a, oa, batch, { ...cfg, impl: 'tfjs', seed: 5 })
    const b = makeNets(3)
    const ob = createPpoOptimizer(1e-3)
    ppoUpdate(b, ob, batch, { ...cfg, impl: 'tfjs' })
    ppoUpdate(b, ob, batch, { ...cfg, impl: 'fused', seed: 5 })
    expect(oa.step).toBe(4)
    const wa = weights(a)
    const wb = weights(b)
    for (const [k, w] of wb) expect(relDiff(wa.get(k)!, w), k).toBeLessThan(1e-4)
    for (const [k, m] of Object.entries(ob.getState().m)) expect(relDiff(oa.getState().m[k]!, m), k).toBeLessThan(1e-4)
    a.dispose()
    b.dispose()
  })
})

describe('layer norm and GELU run as onnxruntime graphs on cpu-ort', () => {
  it('rank-3 layer norm and GELU: values and gradients match the tfjs composite on cpu', async () => {
    const run = (fused: boolean): Float32Array[] =>
      tf.tidy(() => {
        const x = tf.tensor(new Rng(1).fillNormal(3 * 7 * 64, 2), [3, 7, 64])
        const g = tf.tensor(new Rng(2).fillNormal(64, 1), [64])
        const b = tf.tensor(new Rng(3).fillNormal(64, 1), [64])
        const w = tf.tensor(new Rng(4).fillNormal(3 * 7 * 64, 1), [3, 7, 64])
        const ln = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor): tf.Tensor => {
          if (fused) return layerNorm(p, q, r)
          const { mean, variance } = tf.moments(p, -1, true)
          return tf.add(tf.mul(tf.div(tf.sub(p, mean), tf.sqrt(tf.add(variance, 1e-5))), q), r)
        }
        const ge = (p: tf.Tensor): tf.Tensor =>
          fused ? gelu(p) : tf.mul(tf.mul(p, 0.5), tf.add(1, tf.erf(tf.mul(p, Math.SQRT1_2))))
        const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor): tf.Tensor => tf.sum(tf.mul(ge(ln(p, q, r)), w))
        const grads = tf.grads(f)([x, g, b])
        return [ge(ln(x, g, b)), ...grads].map((t) => Float32Array.from(t.dataSync()))
      })
    await tf.setBackend('cpu')
    const ref = run(false)
    await tf.setBackend(ORT_BACKEND)
    kernelStats(true)
    const got = run(true)
    for (const k of ['layernorm_fwd', 'layernorm_bwd', 'gelu_fwd', 'gelu_bwd']) {
      expect(kernelStats().get(k)?.calls ?? 0, k).toBeGreaterThan(0)
    }
    for (let i = 0; i < ref.length; i++) expect(relDiff(got[i]!, ref[i]!), `tensor ${i}`).toBeLessThan(2e-5)
  })
})

describe('linear (+GELU) runs as one onnxruntime graph per direction on cpu-ort', () => {
  for (const activation of ['linear', 'gelu'] as const) {
    it(`${activation}: values and gradients for x, W and b match tfjs fused matMul on cpu`, async () => {
      const run = (): Float32Array[] =>
        tf.tidy(() => {
          const x = tf.tensor(new Rng(5).fillNormal(37 * 48, 1), [37, 48])
          const w = tf.tensor(new Rng(6).fillNormal(48 * 56, 0.3), [48, 56])
          const b = tf.tensor(new Rng(7).fillNormal(56, 0.5), [56])
          const r = tf.tensor(new Rng(8).fillNormal(37 * 56, 1), [37, 56])
          const f = (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor): tf.Tensor =>
            tf.sum(tf.mul(linear(p, q, s, activation), r))
          return [linear(x, w, b, activation), ...tf.grads(f)([x, w, b])].map((t) => Float32Array.from(t.dataSync()))
        })
      await tf.setBackend('cpu')
      const ref = run()
      await tf.setBackend(ORT_BACKEND)
      kernelStats(true)
      const got = run()
      expect(kernelStats().get('linear_fwd')?.calls ?? 0).toBeGreaterThan(0)
      expect(kernelStats().get('linear_bwd')?.calls ?? 0).toBe(1)
      expect(kernelStats().get('BatchMatMul')?.calls ?? 0).toBe(0)
      for (let i = 0; i < ref.length; i++) expect(relDiff(got[i]!, ref[i]!), `tensor ${i}`).toBeLessThan(2e-5)
    })
  }

  it('policy MLP forward and gradients (x and weights) through mlp_fwd / mlp_bwd match cpu', async () => {
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const m = Mlp.create([889, 32, 24, 9], 3, 1)
        for (const v of m.vars.values()) {
          if (v.shape.length === 1) v.assign(tf.tensor(new Rng(v.size + 1).fillNormal(v.size, 0.2), v.shape))
        }
        const x = tf.tensor2d(new Rng(4).fillNormal(6 * 889, 1), [6, 889])
        const r = tf.tensor2d(new Rng(5).fillNormal(6 * 9, 1), [6, 9])
        const y = m.apply(x)
        const gx = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(m.apply(p as tf.Tensor2D), r)))(x)
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(m.apply(x), r)) as tf.Scalar, [...m.vars.values()])
        const out = [y, gx, ...[...m.vars.values()].map((v) => grads[v.name]!)].map((t) =>
          Float32Array.from(t.dataSync())
        )
        m.dispose()
        return out
      })
    await tf.setBackend('cpu')
    const ref = run()
    await tf.setBackend(ORT_BACKEND)
    kernelStats(true)
    const got = run()
    expect(kernelStats().get('mlp_fwd')?.calls ?? 0).toBeGreaterThan(0)
    expect(kernelStats().get('mlp_bwd')?.calls ?? 0).toBe(2)
    for (let i = 0; i < ref.length; i++) expect(relDiff(got[i]!, ref[i]!), `tensor ${i}`).toBeLessThan(2e-5)
  })
})
