import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../src/main/engines/ml/tf'
import {
  RewardModel,
  randomRewardInputs,
  rewardTrainStep,
  createRewardOptimizer,
  disposeInputs
} from '../../../../src/main/engines/ml/reward-model'
import { Mlp, PolicyValueNets } from '../../../../src/main/engines/ml/policy-nets'
import { ppoUpdate, createPpoOptimizer, randomPpoBatch } from '../../../../src/main/engines/ml/ppo'
import { setupBackends, ORT_BACKEND } from './helpers'

beforeAll(setupBackends)

function trainReward(seed: number, steps: number): Map<string, Float32Array> {
  const m = RewardModel.create({ dModel: 16, layers: 1, heads: 2, ffDim: 32, maxBeats: 12 }, seed)
  const opt = createRewardOptimizer({ lr: 1e-3 })
  for (let i = 0; i < steps; i++) {
    const batch = { chosen: randomRewardInputs(2, 12, 100 + i), rejected: randomRewardInputs(2, 12, 200 + i) }
    rewardTrainStep(m, opt, batch)
    disposeInputs(batch.chosen)
    disposeInputs(batch.rejected)
  }
  const w = m.getWeights()
  m.dispose()
  return w
}

function trainPpo(seed: number): Map<string, Float32Array> {
  const nets = new PolicyValueNets(Mlp.create([889, 32, 32, 9], seed, 0.01), Mlp.create([889, 32, 32, 1], seed + 1, 1))
  ppoUpdate(nets, createPpoOptimizer(), randomPpoBatch(128, seed), { epochs: 2, minibatch: 32, seed })
  const w = new Map([
    ...nets.policy.getWeights(),
    ...[...nets.value.getWeights()].map(([k, v]) => [`v.${k}`, v] as const)
  ])
  nets.dispose()
  return w
}

function expectIdentical(a: Map<string, Float32Array>, b: Map<string, Float32Array>): void {
  expect([...a.keys()]).toEqual([...b.keys()])
  for (const [k, v] of a) expect(Buffer.from(v.buffer).equals(Buffer.from(b.get(k)!.buffer)), k).toBe(true)
}

describe('determinism: same seed, same backend -> identical weights', () => {
  for (const backend of ['cpu', ORT_BACKEND]) {
    it(`reward model, 4 AdamW steps (${backend})`, async () => {
      await tf.setBackend(backend)
      const a = trainReward(7, 4)
      const b = trainReward(7, 4)
      expectIdentical(a, b)
      const c = trainReward(8, 4)
      expect(Buffer.from(c.get('head2.weight')!.buffer).equals(Buffer.from(a.get('head2.weight')!.buffer))).toBe(false)
    })
    it(`PPO update (${backend})`, async () => {
      await tf.setBackend(backend)
      expectIdentical(trainPpo(3), trainPpo(3))
    })
  }
})
