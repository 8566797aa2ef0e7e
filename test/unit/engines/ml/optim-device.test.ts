import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '../../../../src/main/engines/ml/tf'
import { AdamW } from '../../../../src/main/engines/ml/optim'
import { reportsGpuDevice } from '../../../../src/main/engines/ml/backend'
import { Rng } from '../../../../src/main/engines/ml/rng'
import { setupBackends, maxAbsDiff } from './helpers'

beforeAll(async () => {
  await setupBackends()
  await tf.setBackend('cpu')
})

function vars(seed: number): Map<string, tf.Variable> {
  const rng = new Rng(seed)
  return new Map([
    ['w', tf.variable(tf.tensor(rng.fillNormal(12, 1), [3, 4]), true)],
    ['b', tf.variable(tf.tensor(rng.fillNormal(4, 1), [4]), true)]
  ])
}

function grads(step: number): tf.NamedTensorMap {
  const rng = new Rng(100 + step)
  return { w: tf.tensor(rng.fillNormal(12, 3), [3, 4]), b: tf.tensor(rng.fillNormal(4, 3), [4]) }
}

describe('AdamW with its state on the device (the native TensorFlow backends)', () => {
  it('takes the same steps as the host path, clipping and decay included, and checkpoints the same state', () => {
    const host = new AdamW({ lr: 1e-2, weightDecay: 0.1, maxGradNorm: 1, stateOnDevice: false })
    const device = new AdamW({ lr: 1e-2, weightDecay: 0.1, maxGradNorm: 1, stateOnDevice: true })
    const a = vars(1)
    const b = vars(1)
    const before = tf.memory().numTensors
    for (let s = 0; s < 5; s++) {
      const ih = host.apply(a, grads(s))
      const id = device.apply(b, grads(s))
      expect(Math.abs(ih.gradNorm - id.gradNorm)).toBeLessThan(1e-4)
    }
    // Two moments per variable live on the device, nothing else is left behind.
    expect(tf.memory().numTensors).toBe(before + 4)
    for (const n of ['w', 'b']) expect(maxAbsDiff(a.get(n)!.dataSync(), b.get(n)!.dataSync())).toBeLessThan(1e-5)
    const hs = host.getState()
    const ds = device.getState()
    expect(ds.step).toBe(hs.step)
    for (const n of ['w', 'b']) {
      expect(maxAbsDiff(ds.m[n]!, hs.m[n]!)).toBeLessThan(1e-5)
      expect(maxAbsDiff(ds.v[n]!, hs.v[n]!)).toBeLessThan(1e-5)
    }
    // A restored on-device optimizer continues like the host one.
    const restored = new AdamW({ lr: 1e-2, weightDecay: 0.1, maxGradNorm: 1, stateOnDevice: true })
    restored.setState(hs)
    host.apply(a, grads(9))
    restored.apply(b, grads(9))
    for (const n of ['w', 'b']) expect(maxAbsDiff(a.get(n)!.dataSync(), b.get(n)!.dataSync())).toBeLessThan(1e-5)
    device.dispose()
    restored.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('the backend report', () => {
  it('says GPU only when the tfjs-node binding reports a GPU device', () => {
    expect(reportsGpuDevice({ binding: { isUsingGpuDevice: () => true } })).toBe(true)
    expect(reportsGpuDevice({ binding: { isUsingGpuDevice: () => false } })).toBe(false)
    expect(reportsGpuDevice({ binding: {} })).toBe(false)
    expect(
      reportsGpuDevice({
        binding: {
          isUsingGpuDevice: () => {
            throw new Error('no device')
          }
        }
      })
    ).toBe(false)
    expect(reportsGpuDevice(tf.backend())).toBe(false)
  })
})
