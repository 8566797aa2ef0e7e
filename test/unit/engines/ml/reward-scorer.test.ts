import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createEnsembleScorer, createRewardScorer } from '../../../../src/main/engines/ml/reward-scorer'
import { FEATURE_DIM } from '../../../../src/shared/features'
import { failureOf } from '../../../helpers/failure'

const FIXTURES = join(__dirname, '../../../fixtures/models')
interface Expected {
  batch: number
  beats: number
  beat_features: number[]
  action_ids: number[]
  mask: number[]
  reward: number[]
}
const expected = JSON.parse(readFileSync(join(FIXTURES, 'tiny_reward.expected.json'), 'utf8')) as Expected

/** The fixture's sequences as (features, beats, actions), each cut to its real (masked) beats. */
function fixtureSequences(): { features: Float32Array; beats: number; actions: number[] }[] {
  const { batch, beats: T } = expected
  return Array.from({ length: batch }, (_, b) => {
    const beats = expected.mask.slice(b * T, (b + 1) * T).filter((m) => m === 1).length
    return {
      features: Float32Array.from(expected.beat_features.slice(b * T * FEATURE_DIM, (b * T + beats) * FEATURE_DIM)),
      beats,
      actions: expected.action_ids.slice(b * T, b * T + beats)
    }
  })
}

describe('reward scorer (onnxruntime)', () => {
  it('scores the PyTorch-exported fixture as PyTorch does, one at a time and batched', () => {
    const scorer = createRewardScorer(join(FIXTURES, 'tiny_reward.onnx'))
    try {
      const seqs = fixtureSequences()
      expect(new Set(seqs.map((s) => s.beats)).size).toBeGreaterThan(1)
      const batched = scorer.scoreBatch(seqs)
      seqs.forEach((s, i) => {
        expect(Math.abs(batched[i]! - expected.reward[i]!)).toBeLessThan(1e-4)
        expect(Math.abs(scorer.score(s.features, s.beats, s.actions) - expected.reward[i]!)).toBeLessThan(1e-4)
      })
    } finally {
      scorer.dispose()
    }
  })

  it('refuses features whose size does not match the beat count, naming both', () => {
    const scorer = createRewardScorer(join(FIXTURES, 'tiny_reward.onnx'))
    try {
      const f = failureOf(() => scorer.score(new Float32Array(4 * 128), 4, [0, 0, 0, 0]))
      expect(f.kind).toBe('validation')
      expect(f.message).toContain('512 values, expected 4 x 125')
    } finally {
      scorer.dispose()
    }
  })

  it('an ensemble of identical members has their mean and zero spread', () => {
    const file = join(FIXTURES, 'tiny_reward.onnx')
    const ens = createEnsembleScorer([file, file])
    try {
      const r = ens.scoreBatch(fixtureSequences())
      for (let i = 0; i < expected.batch; i++) {
        expect(Math.abs(r.mean[i]! - expected.reward[i]!)).toBeLessThan(1e-4)
        expect(r.std[i]).toBeLessThan(1e-6)
      }
    } finally {
      ens.dispose()
    }
  })
})
