import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../../src/main/engines/ml/tf'
import { generateActions, synthesizeSong } from '../../../../../src/main/engines/edits'
import { DpoTrainer, type PreferencePair } from '../../../../../src/main/engines/ml/rlhf/dpo-trainer'
import { TINY_DPO_TRAIN } from '../../../../../src/main/engines/ml/rlhf/train-config'
import { packState, unpackState } from '../../../../../src/main/engines/ml/rlhf/training-state'
import { ORT_BACKEND, setupBackends } from '../helpers'

beforeAll(setupBackends)

/** Simulated preference: the rule generator's radio edit over a random edit of the same song. */
function pairs(count: number, offset: number): PreferencePair[] {
  return Array.from({ length: count }, (_, i) => {
    const structure = synthesizeSong({ seed: offset + i, beats: 32, bpm: 110, sampleRate: 8000 }).structure
    return {
      song: { songId: offset + i, structure },
      chosen: generateActions(structure, 'rule', {}),
      rejected: generateActions(structure, 'random', { seed: offset + i })
    }
  })
}

describe.each([ORT_BACKEND, 'cpu'])('DPO trainer on %s', (backend) => {
  it('a tiny run finishes in seconds, logs TRL metrics and raises the held-out preference accuracy', async () => {
    await tf.setBackend(backend)
    const train = pairs(6, 1)
    const heldOut = pairs(4, 100)
    const t = DpoTrainer.create({ config: { ...TINY_DPO_TRAIN, seed: 2, lr: 1e-3 }, pairs: train })
    const before = t.evaluate(heldOut)
    let m = t.step()
    // the first step compares the reference with itself: no implicit reward yet
    expect(m['rewards/chosen']).toBeCloseTo(0, 6)
    expect(m.loss).toBeCloseTo(Math.log(2), 5)
    for (let i = 0; i < 11; i++) m = t.step()
    for (const k of ['rewards/chosen', 'rewards/rejected', 'accuracies', 'margins', 'logps/chosen', 'logps/rejected'])
      expect(Number.isFinite(m[k]), k).toBe(true)
    expect(m.margins).toBeGreaterThan(0)
    expect(m.accuracies).toBeGreaterThan(0.5)
    const after = t.evaluate(heldOut)
    expect(after.eval_accuracies!).toBeGreaterThan(before.eval_accuracies!)
    expect(after.eval_policy_accuracy!).toBeGreaterThanOrEqual(before.eval_policy_accuracy!)
    t.dispose()
  })

  it('resumes exactly', async () => {
    await tf.setBackend(backend)
    const init = { config: { ...TINY_DPO_TRAIN, seed: 4, loss: 'ipo' as const }, pairs: pairs(5, 1) }
    const straight = DpoTrainer.create(init)
    for (let i = 0; i < 4; i++) straight.step()
    const a = DpoTrainer.create(init)
    a.step()
    a.step()
    const b = DpoTrainer.restore(init, unpackState(packState(a.snapshot())))
    a.dispose()
    b.step()
    b.step()
    const wa = straight.policy.getWeights()
    for (const [k, w] of b.policy.getWeights())
      expect(Buffer.from(w.buffer).equals(Buffer.from(wa.get(k)!.buffer)), k).toBe(true)
    straight.dispose()
    b.dispose()
  })
})
