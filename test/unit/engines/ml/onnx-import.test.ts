import { describe, it, expect, beforeAll } from 'vitest'
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import * as tf from '../../../../src/main/engines/ml/tf'
import { importRewardOnnx, readOnnx, checkRewardSignature } from '../../../../src/main/engines/ml/onnx-import'
import { scoreRewardBatch } from '../../../../src/main/engines/ml/onnx-runtime'
import { RewardModel } from '../../../../src/main/engines/ml/reward-model'
import { rewardOnnxBytes } from '../../../../src/main/engines/ml/onnx-export'
import { decodeModel, encodeModel, OnnxDataType } from '../../../../src/main/engines/ml/onnx-proto'
import { setupBackends, maxAbsDiff, ORT_BACKEND } from './helpers'
import { failureOf } from '../../../helpers/failure'

const FIXTURES = join(__dirname, '../../../fixtures/models')

interface Expected {
  config: { dModel: number; layers: number; heads: number; ffDim: number; maxBeats: number }
  batch: number
  beats: number
  beat_features: number[]
  action_ids: number[]
  mask: number[]
  reward: number[]
}
const expected = JSON.parse(readFileSync(join(FIXTURES, 'tiny_reward.expected.json'), 'utf8')) as Expected

beforeAll(async () => {
  await setupBackends()
  await tf.setBackend(ORT_BACKEND)
})

describe('importing a reward model exported by PyTorch (torch.onnx.export fixture)', () => {
  it('checks the signature, scores like PyTorch and warm-starts the tfjs model', () => {
    const imp = importRewardOnnx(join(FIXTURES, 'tiny_reward.onnx'))
    expect(imp.info.inputs.map((i) => [i.name, i.type, i.shape.length])).toEqual([
      ['beat_features', 'float32', 3],
      ['action_ids', 'int64', 2],
      ['mask', 'bool', 2]
    ])
    expect(imp.info.outputs[0]).toMatchObject({ name: 'reward', type: 'float32' })
    const batch = {
      features: Float32Array.from(expected.beat_features),
      actionIds: expected.action_ids,
      mask: expected.mask,
      batch: expected.batch,
      beats: expected.beats
    }
    const ort = scoreRewardBatch(imp.session, batch)
    expect(maxAbsDiff(ort, expected.reward)).toBeLessThan(1e-4)

    expect(imp.warmStartReason).toBeUndefined()
    const ws = imp.warmStart!
    expect(ws.config).toMatchObject({ ...expected.config, norm: 'pre', featureDim: 125 })
    expect(ws.maxAbsDiff).toBeLessThan(1e-4)
    const m = new RewardModel(ws.config, ws.weights)
    const r = m.apply({
      features: tf.tensor(batch.features, [expected.batch, expected.beats, 125]),
      actionIds: tf.tensor(expected.action_ids, [expected.batch, expected.beats], 'int32'),
      mask: tf.tensor(expected.mask, [expected.batch, expected.beats], 'float32')
    })
    expect(maxAbsDiff(r.dataSync(), expected.reward)).toBeLessThan(1e-4)
    m.dispose()
    imp.session.dispose()
  })

  it('rejects a beat_features dim of 128 with an error naming the mismatch', () => {
    const e = failureOf(() => importRewardOnnx(join(FIXTURES, 'tiny_reward_dim128.onnx')))
    expect(e.kind).toBe('unsupported')
    expect(e.field).toBe('beat_features')
    expect(e.message).toContain("input 'beat_features' has last dim 128, expected 125")
  })

  it('names a missing input, a wrong dtype and a wrong output', () => {
    const cfg = { dModel: 8, layers: 1, heads: 2, ffDim: 16, maxBeats: 8 }
    const m = RewardModel.create(cfg, 1)
    const bytes = rewardOnnxBytes(cfg, m.getWeights())
    m.dispose()
    const mutate = (f: (g: NonNullable<ReturnType<typeof decodeModel>['graph']>) => void): Uint8Array => {
      const model = decodeModel(bytes)
      f(model.graph!)
      return encodeModel(model)
    }
    const renamed = mutate((g) => {
      g.input![2]!.name = 'attention_mask'
    })
    let e = failureOf(() => checkRewardSignature(readOnnx(renamed, 'renamed.onnx').info))
    expect(e.message).toContain("missing input 'mask'")
    expect(e.field).toBe('mask')

    const int32Ids = mutate((g) => {
      g.input![1]!.type!.tensorType!.elemType = OnnxDataType.INT32
    })
    e = failureOf(() => checkRewardSignature(readOnnx(int32Ids, 'ids.onnx').info))
    expect(e.message).toContain("input 'action_ids' is int32, expected int64")

    const outName = mutate((g) => {
      g.output![0]!.name = 'score'
    })
    e = failureOf(() => checkRewardSignature(readOnnx(outName, 'out.onnx').info))
    expect(e.message).toContain("missing output 'reward'")
  })

  it('a file that is not ONNX gives a corrupt error naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-import-'))
    const txt = join(dir, 'notes.onnx')
    writeFileSync(txt, 'this is a text file, not a model\n')
    let e = failureOf(() => importRewardOnnx(txt))
    expect(e.kind).toBe('corrupt')
    expect(e.message).toContain('notes.onnx')
    const json = join(dir, 'expected.onnx')
    writeFileSync(json, readFileSync(join(FIXTURES, 'tiny_reward.expected.json')))
    e = failureOf(() => importRewardOnnx(json))
    expect(e.kind).toBe('corrupt')
    expect(e.message).toContain('expected.onnx')
    const missing = failureOf(() => importRewardOnnx(join(dir, 'nope.onnx')))
    expect(missing.kind).toBe('not_found')
  })
})
