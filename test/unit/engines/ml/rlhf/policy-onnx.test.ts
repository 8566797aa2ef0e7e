import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../../src/main/engines/ml/tf'
import { synthesizeSong, validateActions } from '../../../../../src/main/engines/edits'
import { Mlp } from '../../../../../src/main/engines/ml/policy-nets'
import { importPolicyOnnx, policyOnnxBytes, PolicyRunner } from '../../../../../src/main/engines/ml/rlhf'
import { failureOf } from '../../../../helpers/failure'
import { setupBackends } from '../helpers'

beforeAll(setupBackends)

const FIXTURES = path.resolve(__dirname, '../../../../fixtures/models')
const SB3 = path.join(FIXTURES, 'tiny_policy_sb3.onnx')

describe('policy ONNX import', () => {
  it('an SB3-style export passes the signature check and its actor initialises the app network', async () => {
    await tf.setBackend('cpu')
    const imported = importPolicyOnnx(SB3)
    expect(imported.warmStartNote).toBeNull()
    expect(imported.warmStart!.sizes).toEqual([889, 16, 16, 9])
    const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'tiny_policy_sb3.expected.json'), 'utf8')) as {
      obs: number[]
      logits: number[][]
    }
    const mlp = new Mlp(imported.warmStart!.sizes, imported.warmStart!.weights)
    const ours = tf.tidy(() => mlp.apply(tf.tensor2d(expected.obs, [3, 889])).arraySync())
    mlp.dispose()
    ours.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected.logits[i]![j]!, 4)))
  })

  it('a wrong observation size is refused with both sizes named', () => {
    const e = failureOf(() => importPolicyOnnx(path.join(FIXTURES, 'tiny_policy_obs4.onnx')))
    expect(e.kind).toBe('unsupported')
    expect(e.field).toBe('obs')
    expect(e.message).toContain("input 'obs' has 4 features per row, expected 889")
  })

  it('a file that is not ONNX is refused as corrupt', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-onnx-'))
    const file = path.join(dir, 'x.onnx')
    fs.writeFileSync(file, 'not a model')
    expect(failureOf(() => importPolicyOnnx(file)).kind).toBe('corrupt')
    fs.rmSync(dir, { recursive: true })
  })

  it('the imported SB3-style policy generates a valid edit, sampled (seeded) and greedy', () => {
    const { structure } = synthesizeSong({ seed: 2, beats: 40, sampleRate: 8000 })
    const runner = new PolicyRunner(SB3)
    const song = { songId: 1, structure }
    const a = runner.generate(song, { seed: 7 })
    const b = runner.generate(song, { seed: 7 })
    const g = runner.generate(song, { greedy: true })
    runner.dispose()
    expect(Array.from(a)).toEqual(Array.from(b))
    for (const acts of [a, g]) expect(() => validateActions(structure, acts)).not.toThrow()
    expect(new Set(a).size).toBeGreaterThan(1)
  })

  it("the app's own export round-trips with warm start", async () => {
    await tf.setBackend('cpu')
    const mlp = Mlp.create([889, 8, 9], 3, 1)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-onnx-'))
    const file = path.join(dir, 'p.onnx')
    fs.writeFileSync(file, policyOnnxBytes({ sizes: mlp.sizes, weights: mlp.getWeights() }))
    const imported = importPolicyOnnx(file)
    expect(imported.warmStart!.sizes).toEqual([889, 8, 9])
    for (const [k, w] of mlp.getWeights())
      expect(Array.from(imported.warmStart!.weights.get(k)!)).toEqual(Array.from(w))
    mlp.dispose()
    fs.rmSync(dir, { recursive: true })
  })
})
