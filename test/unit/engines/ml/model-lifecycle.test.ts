import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../src/main/engines/ml/tf'
import { RewardModel, V8_REWARD_CONFIG, initRewardWeights } from '../../../../src/main/engines/ml/reward-model'
import { setupBackends, ORT_BACKEND } from './helpers'

beforeAll(async () => {
  await setupBackends()
  await tf.setBackend(ORT_BACKEND)
})

describe('building and disposing models', () => {
  it('20 default-size reward models built and disposed leave no tensors and no backend memory behind', () => {
    const weights = initRewardWeights(V8_REWARD_CONFIG, 1)
    // One model first: tfjs and the backend allocate their own bookkeeping once.
    new RewardModel(V8_REWARD_CONFIG, weights).dispose()
    const before = tf.memory()
    const heapBefore = process.memoryUsage()
    for (let i = 0; i < 20; i++) {
      const m = new RewardModel(V8_REWARD_CONFIG, weights)
      expect(tf.memory().numTensors).toBe(before.numTensors + m.vars.size)
      m.dispose()
    }
    const after = tf.memory()
    expect(after.numTensors).toBe(before.numTensors)
    expect(after.numBytes).toBe(before.numBytes)
    // 20 leaked copies of the initial weights would be ~200 MB of array buffers.
    const grown = process.memoryUsage().arrayBuffers - heapBefore.arrayBuffers
    expect(grown).toBeLessThan(60 * 1024 * 1024)
  }, 120_000)
})
