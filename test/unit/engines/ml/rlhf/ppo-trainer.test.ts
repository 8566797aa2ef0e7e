import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../../src/main/engines/ml/tf'
import { synthesizeSong } from '../../../../../src/main/engines/edits'
import type { EpisodeSong } from '../../../../../src/main/engines/policy'
import { PpoTrainer } from '../../../../../src/main/engines/ml/rlhf/ppo-trainer'
import { TINY_PPO_TRAIN, type PpoTrainConfig } from '../../../../../src/main/engines/ml/rlhf/train-config'
import { packState, unpackState } from '../../../../../src/main/engines/ml/rlhf/training-state'
import { ORT_BACKEND, setupBackends } from '../helpers'

beforeAll(setupBackends)

function songs(count: number, beats = 48): EpisodeSong[] {
  return Array.from({ length: count }, (_, i) => ({
    songId: i + 1,
    structure: synthesizeSong({ seed: i + 1, beats, bpm: 100 + 10 * i, sampleRate: 8000 }).structure
  }))
}

function weightsOf(t: PpoTrainer): Float32Array[] {
  return [...t.nets.vars.values()].map((v) => Float32Array.from(v.dataSync()))
}

const cases: { backend: string; impl: PpoTrainConfig['impl'] }[] = [
  { backend: ORT_BACKEND, impl: 'fused' },
  { backend: 'cpu', impl: 'tfjs' }
]

describe.each(cases)('PPO trainer on $backend ($impl)', ({ backend, impl }) => {
  it('a tiny run finishes in seconds and logs every metric under its name', async () => {
    await tf.setBackend(backend)
    const t = PpoTrainer.create({ config: { ...TINY_PPO_TRAIN, impl, seed: 3 }, trainSongs: songs(3), learned: null })
    const m = t.step()
    for (const k of [
      'reward_total',
      'reward_dense',
      'kl',
      'kl_coef',
      'approx_kl',
      'clip_fraction',
      'entropy',
      'policy_loss',
      'value_loss',
      'explained_variance',
      'env_steps_per_s',
      'actions/KEEP'
    ])
      expect(Number.isFinite(m[k]), k).toBe(true)
    expect(m.env_steps).toBe(4 * 48)
    // the first rollout runs the reference policy itself
    expect(m.kl).toBeLessThan(1e-6)
    const t2 = t.step()
    expect(t2.kl).toBeGreaterThan(0)
    t.dispose()
  })

  it('kill and resume from a snapshot ends with the same weights as an uninterrupted run', async () => {
    await tf.setBackend(backend)
    const init = {
      config: { ...TINY_PPO_TRAIN, impl, seed: 5, klTarget: 0.01 },
      trainSongs: songs(5, 32),
      learned: null
    }
    const straight = PpoTrainer.create(init)
    for (let i = 0; i < 3; i++) straight.step()
    const a = PpoTrainer.create(init)
    a.step()
    a.step()
    const bytes = packState(a.snapshot())
    a.dispose()
    const b = PpoTrainer.restore(init, unpackState(bytes))
    b.step()
    expect(b.update).toBe(3)
    expect(b.klCoef).toBe(straight.klCoef)
    const wa = weightsOf(straight)
    const wb = weightsOf(b)
    expect(wb.length).toBe(wa.length)
    wa.forEach((w, i) => expect(Buffer.from(wb[i]!.buffer).equals(Buffer.from(w.buffer))).toBe(true))
    straight.dispose()
    b.dispose()
  })
})
