import { describe, it, expect, afterEach } from 'vitest'
import * as tf from '../../../../src/main/engines/ml/tf'
import { initComputeBackend, computeBackendInfo, resetComputeBackend } from '../../../../src/main/engines/ml/backend'

afterEach(() => {
  delete process.env.EDITORBOT_BACKEND
  resetComputeBackend()
})

describe('compute backend selection', () => {
  it('auto: skips the tfjs-node packages that do not load (logged once with the reason) and uses cpu+onnxruntime', async () => {
    const lines: string[] = []
    const info = await initComputeBackend({ log: (l) => lines.push(l) })
    // tfjs-node(-gpu) are optional dependencies that cannot install here; where they do load,
    // they win and this expectation names them.
    expect(['tensorflow-gpu', 'tensorflow', 'cpu+onnxruntime']).toContain(info.training)
    if (info.training === 'cpu+onnxruntime') {
      expect(info.notes.some((n) => n.startsWith('tensorflow-gpu skipped'))).toBe(true)
      expect(info.notes.some((n) => n.startsWith('tensorflow skipped'))).toBe(true)
      expect(tf.getBackend()).toBe('cpu-ort')
    }
    expect(info.inference).toMatch(/^onnxruntime-node/)
    expect(computeBackendInfo()).toEqual(info)
    // idempotent: same object, nothing logged again
    const n = lines.length
    expect(await initComputeBackend({ log: (l) => lines.push(l) })).toBe(info)
    expect(lines.length).toBe(n)
  })

  it('EDITORBOT_BACKEND overrides the preference', async () => {
    process.env.EDITORBOT_BACKEND = 'cpu-plain'
    const info = await initComputeBackend({ prefer: 'auto', log: () => {} })
    expect(info.training).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    resetComputeBackend()
    process.env.EDITORBOT_BACKEND = 'cpu'
    const info2 = await initComputeBackend({ log: () => {} })
    expect(info2.training).toBe('cpu+onnxruntime')
    expect(info2.notes).toContain('EDITORBOT_BACKEND=cpu')
  })

  it('an unknown EDITORBOT_BACKEND is reported and ignored', async () => {
    process.env.EDITORBOT_BACKEND = 'quantum'
    const info = await initComputeBackend({ prefer: 'cpu', log: () => {} })
    expect(info.notes.some((n) => n.includes("EDITORBOT_BACKEND='quantum'"))).toBe(true)
    expect(info.training).toBe('cpu+onnxruntime')
  })
})
