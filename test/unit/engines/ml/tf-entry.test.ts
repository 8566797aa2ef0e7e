import { describe, expect, it } from 'vitest'
import * as tf from '../../../../src/main/engines/ml/tf'

describe('engines/ml/tf.ts, the one TensorFlow.js entry', () => {
  it('registers the gradients of the kernels the engine differentiates through', () => {
    const kernels = ['BatchMatMul', 'Add', 'Sub', 'Multiply', 'RealDiv', 'Sum', 'Mean', 'Exp', 'Log', 'Tanh', 'Softmax']
    expect(kernels.filter((k) => tf.getGradient(k) === undefined)).toEqual([])
  })

  it('differentiates a composed loss on the CPU backend class it exports', async () => {
    await tf.setBackend('cpu')
    expect(tf.backend()).toBeInstanceOf(tf.MathBackendCPU)
    const x = tf.tensor1d([0.5, -1, 2])
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.tanh(v), v)))(x)
    const expected = [0.5, -1, 2].map((v) => Math.tanh(v) + v * (1 - Math.tanh(v) ** 2))
    Array.from(dx.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 5))
    tf.dispose([x, dx])
  })
})
