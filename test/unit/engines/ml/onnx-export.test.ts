import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../src/main/engines/ml/tf'
import {
  RewardModel,
  randomRewardInputs,
  disposeInputs,
  type RewardModelConfig
} from '../../../../src/main/engines/ml/reward-model'
import { PolicyValueNets } from '../../../../src/main/engines/ml/policy-nets'
import { rewardOnnxBytes, mlpOnnxBytes } from '../../../../src/main/engines/ml/onnx-export'
import { OrtSession, scoreRewardBatch, tensor, floatData } from '../../../../src/main/engines/ml/onnx-runtime'
import { readOnnx, checkRewardSignature } from '../../../../src/main/engines/ml/onnx-import'
import { Rng } from '../../../../src/main/engines/ml/rng'
import { setupBackends, maxAbsDiff, ORT_BACKEND } from './helpers'

beforeAll(async () => {
  await setupBackends()
  await tf.setBackend(ORT_BACKEND)
})

describe('ONNX export: onnxruntime output matches tfjs within 1e-4', () => {
  for (const norm of ['pre', 'post'] as const) {
    it(`reward transformer (${norm}-LN), padded batch, documented signature`, () => {
      const cfg: RewardModelConfig = { dModel: 32, layers: 2, heads: 4, ffDim: 64, maxBeats: 40, norm }
      const m = RewardModel.create(cfg, 11)
      const bytes = rewardOnnxBytes(cfg, m.getWeights())
      const { info } = readOnnx(bytes, 'export.onnx')
      expect(() => checkRewardSignature(info)).not.toThrow()
      expect(info.metadata['editorbot.heads']).toBe('4')
      const s = OrtSession.fromBytes(bytes)
      for (const [B, T] of [
        [3, 17],
        [1, 40]
      ] as const) {
        const inp = randomRewardInputs(B, T, 12 + T)
        const ours = m.apply(inp)
        const theirs = scoreRewardBatch(s, {
          features: Float32Array.from(inp.features.dataSync()),
          actionIds: Int32Array.from(inp.actionIds.dataSync()),
          mask: Array.from(inp.mask.dataSync()),
          batch: B,
          beats: T
        })
        expect(theirs.length).toBe(B)
        expect(maxAbsDiff(theirs, ours.dataSync())).toBeLessThan(1e-4)
        ours.dispose()
        disposeInputs(inp)
      }
      s.dispose()
      m.dispose()
    })
  }

  it('policy (logits [N,9]) and value ([N]) MLPs', () => {
    const nets = PolicyValueNets.create(21)
    const N = 7
    const obs = new Rng(3).fillNormal(N * 889, 1)
    const x = tf.tensor2d(obs, [N, 889])
    const p = OrtSession.fromBytes(mlpOnnxBytes('policy', nets.policy.sizes, nets.policy.getWeights()))
    const v = OrtSession.fromBytes(mlpOnnxBytes('value', nets.value.sizes, nets.value.getWeights()))
    const logits = p.runSync({ obs: tensor('float32', obs, [N, 889]) }).logits!
    const value = v.runSync({ obs: tensor('float32', obs, [N, 889]) }).value!
    expect(logits.dims).toEqual([N, 9])
    expect(value.dims).toEqual([N])
    expect(maxAbsDiff(floatData(logits), nets.policy.apply(x).dataSync())).toBeLessThan(1e-4)
    expect(maxAbsDiff(floatData(value), nets.value.apply(x).dataSync())).toBeLessThan(1e-4)
    p.dispose()
    v.dispose()
    x.dispose()
    nets.dispose()
  })
})
