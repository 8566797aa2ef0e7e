import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../src/main/engines/ml/tf'
import {
  RewardModel,
  V8_REWARD_CONFIG,
  rewardParamSpecs,
  bradleyTerryLoss,
  rewardTrainStep,
  createRewardOptimizer,
  randomRewardInputs,
  REWARD_BOUND
} from '../../../../src/main/engines/ml/reward-model'
import { paramCount } from '../../../../src/main/engines/ml/params'
import {
  PolicyValueNets,
  Mlp,
  mlpParamSpecs,
  POLICY_SIZES,
  VALUE_SIZES
} from '../../../../src/main/engines/ml/policy-nets'
import { ppoUpdate, createPpoOptimizer, randomPpoBatch } from '../../../../src/main/engines/ml/ppo'
import { AppFailure } from '../../../../src/shared/result'
import { setupBackends, ORT_BACKEND } from './helpers'

beforeAll(async () => {
  await setupBackends()
  await tf.setBackend(ORT_BACKEND)
})

describe('reward transformer', () => {
  it('v8 shape has 2,598,401 parameters', () => {
    expect(paramCount(rewardParamSpecs(V8_REWARD_CONFIG))).toBe(2_598_401)
    expect(paramCount(mlpParamSpecs(POLICY_SIZES))).toBe(889 * 256 + 256 + 256 * 256 + 256 + 256 * 9 + 9)
    expect(paramCount(mlpParamSpecs(VALUE_SIZES))).toBe(889 * 256 + 256 + 256 * 256 + 256 + 257)
  })

  it('outputs stay in [-10, 10] and ignore padded beats', () => {
    const cfg = { dModel: 16, layers: 1, heads: 2, ffDim: 32, maxBeats: 10 }
    const m = RewardModel.create(cfg, 2)
    // blow the head up so the soft clamp matters
    m.vars.get('head2.bias')!.assign(tf.tensor1d([1e4]))
    const inp = randomRewardInputs(2, 10, 3)
    const r = m.apply(inp).dataSync()
    for (const v of r) expect(Math.abs(v)).toBeLessThanOrEqual(REWARD_BOUND)
    m.vars.get('head2.bias')!.assign(tf.tensor1d([0]))
    // changing a padded beat's features must not change the reward
    const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1, 0, 0, 0, 0]], [1, 10])
    const f = inp.features.slice([0, 0, 0], [1, 10, 125])
    const ids = inp.actionIds.slice([0, 0], [1, 10])
    const a = m.apply({ features: f, actionIds: ids, mask }).dataSync()[0]!
    const f2 = tf.concat([f.slice([0, 0, 0], [1, 6, 125]), tf.fill([1, 4, 125], 5)], 1)
    const b = m.apply({ features: f2, actionIds: ids, mask }).dataSync()[0]!
    expect(Math.abs(a - b)).toBeLessThan(1e-5)
    m.dispose()
  })

  it('rejects sequences longer than maxBeats and bad configs', () => {
    const m = RewardModel.create({ dModel: 8, layers: 1, heads: 2, ffDim: 8, maxBeats: 4 }, 1)
    expect(() => m.apply(randomRewardInputs(1, 5, 1))).toThrow(AppFailure)
    m.dispose()
    expect(() => RewardModel.create({ dModel: 10, layers: 1, heads: 3, ffDim: 8, maxBeats: 4 }, 1)).toThrow(/divisible/)
  })

  it('Bradley-Terry loss: log 2 at equal rewards, ties as soft targets, margin and centering', () => {
    const a = tf.tensor1d([1, 2])
    const b = tf.tensor1d([1, 2])
    expect(bradleyTerryLoss(a, b).dataSync()[0]).toBeCloseTo(Math.LN2, 6)
    const c = tf.tensor1d([3])
    const d = tf.tensor1d([1])
    expect(bradleyTerryLoss(c, d).dataSync()[0]).toBeCloseTo(Math.log1p(Math.exp(-2)), 6)
    expect(bradleyTerryLoss(c, d, { target: tf.tensor1d([0.5]) }).dataSync()[0]).toBeCloseTo(
      0.5 * Math.log1p(Math.exp(-2)) + 0.5 * Math.log1p(Math.exp(2)),
      5
    )
    expect(bradleyTerryLoss(c, d, { margin: tf.tensor1d([2]) }).dataSync()[0]).toBeCloseTo(Math.LN2, 6)
    expect(bradleyTerryLoss(c, d, { centerCoef: 0.01 }).dataSync()[0]).toBeCloseTo(Math.log1p(Math.exp(-2)) + 0.16, 5)
  })

  it('learns a preference (feature 0 higher is better) in a few AdamW steps', () => {
    const m = RewardModel.create({ dModel: 16, layers: 1, heads: 2, ffDim: 32, maxBeats: 8 }, 4)
    const opt = createRewardOptimizer({ lr: 3e-3 })
    const chosen = randomRewardInputs(8, 8, 5)
    const rejected = randomRewardInputs(8, 8, 6)
    const shift = tf.concat([tf.fill([8, 8, 1], 2), tf.zeros([8, 8, 124])], 2)
    const batch = { chosen: { ...chosen, features: tf.add(chosen.features, shift) }, rejected }
    const first = rewardTrainStep(m, opt, batch)
    let last = first
    for (let i = 0; i < 30; i++) last = rewardTrainStep(m, opt, batch)
    expect(last.loss).toBeLessThan(first.loss * 0.5)
    expect(last.accuracy).toBe(1)
    m.dispose()
  })
})

describe('PPO update', () => {
  it('raises the probability of an advantaged action and reports SB3 diagnostics', () => {
    const nets = new PolicyValueNets(Mlp.create([889, 32, 32, 9], 1, 0.01), Mlp.create([889, 32, 32, 1], 2, 1))
    const batch = randomPpoBatch(256, 3)
    for (let i = 0; i < 256; i++) batch.advantages[i] = batch.actions[i] === 2 ? 1 : -0.2
    const probOf2 = (): number =>
      tf.tidy(() => {
        const p = tf.softmax(nets.policy.apply(tf.tensor2d(batch.obs, [256, 889])))
        return tf.mean(tf.slice(p, [0, 2], [256, 1])).dataSync()[0]!
      })
    const before = probOf2()
    const stats = ppoUpdate(nets, createPpoOptimizer(1e-3), batch, {
      epochs: 4,
      minibatch: 64,
      seed: 1,
      clipRangeVf: 0.2
    })
    expect(probOf2()).toBeGreaterThan(before)
    expect(stats.epochsRun).toBe(4)
    expect(stats.minibatches).toBe(16)
    expect(stats.clipFraction).toBeGreaterThanOrEqual(0)
    expect(stats.entropy).toBeGreaterThan(0)
    expect(Number.isFinite(stats.explainedVariance)).toBe(true)
    const early = ppoUpdate(nets, createPpoOptimizer(0.05), batch, { epochs: 10, targetKl: 1e-4, seed: 2 })
    expect(early.earlyStopped).toBe(true)
    nets.dispose()
  })

  it('the full-size nets have the documented shapes', () => {
    const nets = PolicyValueNets.create(1)
    expect(nets.policy.sizes).toEqual([889, 256, 256, 9])
    expect(nets.value.sizes).toEqual([889, 256, 256, 1])
    const y = nets.policy.apply(tf.zeros([2, 889]))
    expect(y.shape).toEqual([2, 9])
    nets.dispose()
  })
})
