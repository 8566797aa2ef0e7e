import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../src/main/engines/ml/tf'
import {
  REWARD_TRAIN_PRESETS,
  RewardTrainer,
  learningRateAt,
  type PreferencePair,
  type RewardSequence,
  type RewardTrainConfig,
  type RewardTrainData
} from '../../../../src/main/engines/ml/reward-training'
import { decodeCheckpoint, encodeCheckpoint } from '../../../../src/main/engines/ml/reward-checkpoint'
import { Rng } from '../../../../src/main/engines/ml/rng'
import { FEATURE_DIM } from '../../../../src/shared/features'
import { setupBackends, ORT_BACKEND } from './helpers'

beforeAll(async () => {
  await setupBackends()
  await tf.setBackend(ORT_BACKEND)
})

/**
 * Sequences whose hidden quality is the share of KEEP actions (id 0) plus feature 0's mean: pairs
 * prefer the higher quality, ties where the two are within a small band.
 */
function syntheticData(nSeq: number, nPairs: number, seed: number): RewardTrainData {
  const rng = new Rng(seed)
  const sequences: RewardSequence[] = []
  const quality: number[] = []
  for (let i = 0; i < nSeq; i++) {
    const beats = 12 + Math.floor(rng.next() * 12)
    const features = rng.fillNormal(beats * FEATURE_DIM, 1)
    const keepShare = rng.next()
    const actions = Array.from({ length: beats }, () => (rng.next() < keepShare ? 0 : 1 + Math.floor(rng.next() * 8)))
    sequences.push({ features, beats, actions })
    quality.push(actions.filter((a) => a === 0).length / beats)
  }
  const pairs: PreferencePair[] = []
  while (pairs.length < nPairs) {
    const a = Math.floor(rng.next() * nSeq)
    const b = Math.floor(rng.next() * nSeq)
    if (a === b) continue
    const d = quality[a]! - quality[b]!
    if (Math.abs(d) < 0.03) pairs.push({ chosen: a, rejected: b, target: 0.5, margin: 0 })
    else
      pairs.push(
        d > 0 ? { chosen: a, rejected: b, target: 1, margin: 0 } : { chosen: b, rejected: a, target: 1, margin: 0 }
      )
  }
  const cut = Math.floor(nPairs * 0.8)
  return { sequences, train: pairs.slice(0, cut), val: pairs.slice(cut) }
}

const tiny = (over: Partial<RewardTrainConfig> = {}): RewardTrainConfig => ({
  ...REWARD_TRAIN_PRESETS.tiny,
  model: { ...REWARD_TRAIN_PRESETS.tiny.model, maxBeats: 32 },
  ...over
})

function runAll(t: RewardTrainer): void {
  while (!t.done) t.runEpoch()
}

function sameWeights(a: Map<string, Float32Array>, b: Map<string, Float32Array>): boolean {
  if (a.size !== b.size) return false
  for (const [k, v] of a) {
    const w = b.get(k)
    if (!w || w.length !== v.length) return false
    for (let i = 0; i < v.length; i++) if (v[i] !== w[i]) return false
  }
  return true
}

describe('reward training (tiny config)', () => {
  it('learns a hidden preference in seconds: validation accuracy rises well above chance', () => {
    const data = syntheticData(80, 300, 7)
    const started = Date.now()
    const t = new RewardTrainer(data, tiny({ epochs: 8, patience: 8 }))
    runAll(t)
    const h = t.history
    expect(Date.now() - started).toBeLessThan(60_000)
    expect(h[h.length - 1]!.valAccuracy).toBeGreaterThan(0.75)
    expect(h[0]!.trainLoss).toBeGreaterThan(h[h.length - 1]!.trainLoss)
    t.dispose()
  })

  it('a run resumed from an encoded checkpoint ends with exactly the weights of an uninterrupted run', () => {
    const data = syntheticData(40, 120, 3)
    const config = tiny({ epochs: 4, patience: 4, ensemble: 2 })
    const full = new RewardTrainer(data, config)
    runAll(full)
    const expected = full.members()
    full.dispose()

    const first = new RewardTrainer(data, config)
    first.runEpoch()
    first.runEpoch()
    first.runEpoch()
    // Interrupted half-way through the next epoch: that epoch's work is lost, the checkpoint is not.
    const bytes = encodeCheckpoint(first.checkpoint())
    expect(() =>
      first.runEpoch((step) => {
        if (step === 2) throw new Error('killed')
      })
    ).toThrow('killed')
    first.dispose()

    const resumed = new RewardTrainer(data, config, { checkpoint: decodeCheckpoint(bytes) })
    runAll(resumed)
    const got = resumed.members()
    expect(got).toHaveLength(2)
    expect(sameWeights(got[0]!, expected[0]!)).toBe(true)
    expect(sameWeights(got[1]!, expected[1]!)).toBe(true)
    // Bootstrap members are different models.
    expect(sameWeights(got[0]!, got[1]!)).toBe(false)
    resumed.dispose()
  })

  it('stops a member early when validation loss stops improving and keeps the best epoch', () => {
    const data = syntheticData(30, 60, 11)
    const t = new RewardTrainer(data, tiny({ epochs: 30, patience: 2, lr: 3e-2 }))
    runAll(t)
    const h = t.history
    expect(h.length).toBeLessThan(30)
    const best = Math.min(...h.map((r) => r.valLoss!))
    // The last two epochs did not improve on the best one.
    expect(h.slice(-2).every((r) => r.valLoss! >= best)).toBe(true)
    t.dispose()
  })

  it('warms the learning rate up linearly, then decays it by a cosine to the floor', () => {
    const c = { lr: 1e-3, warmupFraction: 0.1, minLrFraction: 0.1 }
    expect(learningRateAt(c, 0, 100)).toBeCloseTo(1e-4, 10)
    expect(learningRateAt(c, 9, 100)).toBeCloseTo(1e-3, 10)
    expect(learningRateAt(c, 55, 100)).toBeLessThan(1e-3)
    expect(learningRateAt(c, 100, 100)).toBeCloseTo(1e-4, 10)
  })

  it('distils a parent: the regressed model reproduces the parent scores before fine-tuning', () => {
    const data = syntheticData(60, 80, 5)
    // The "parent" scores each sequence by its share of KEEP actions (scaled to a few reward units).
    const indices = data.sequences.map((_, i) => i)
    const targets = Float32Array.from(
      data.sequences,
      (s) => 4 * (Array.from(s.actions).filter((a) => a === 0).length / s.beats) - 2
    )
    const t = new RewardTrainer(
      { ...data, distill: { indices, targets } },
      tiny({ epochs: 1, distillEpochs: 12, lr: 1e-2 })
    )
    const before = t.distillFit()
    for (let e = 0; e < 12; e++) t.runEpoch()
    const after = t.history[t.history.length - 1]!
    expect(after.phase).toBe('distill')
    expect(after.trainAccuracy).toBeGreaterThan(0.8) // correlation with the parent
    expect(after.trainAccuracy).toBeGreaterThan(before.correlation)
    runAll(t)
    t.dispose()
  })
})
