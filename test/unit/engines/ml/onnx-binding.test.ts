import { describe, it, expect } from 'vitest'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { checkBinding, OrtSession, tensor } from '../../../../src/main/engines/ml/onnx-runtime'
import { encodeModel, makeModel, node, valueInfo, OnnxDataType } from '../../../../src/main/engines/ml/onnx-proto'
import { AppFailure } from '../../../../src/shared/result'

const require = createRequire(import.meta.url)

describe("onnxruntime-node's private binding (synchronous sessions)", () => {
  it('the installed version is the one package.json pins exactly', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }
    const pinned = pkg.dependencies['onnxruntime-node']
    const installed = (require('onnxruntime-node/package.json') as { version: string }).version
    expect(pinned, 'onnxruntime-node must be pinned to one version: OrtSession uses its private dist/binding').toMatch(
      /^\d+\.\d+\.\d+$/
    )
    expect(installed, `installed ${installed}, package.json pins ${pinned}: run npm ci`).toBe(pinned)
  })

  it('runs a session synchronously through it, with input and output names', () => {
    const graph = {
      name: 'double',
      node: [node('Add', ['X', 'X'], ['Y'])],
      initializer: [],
      input: [valueInfo('X', OnnxDataType.FLOAT, ['n'])],
      output: [valueInfo('Y', OnnxDataType.FLOAT, ['n'])]
    }
    const s = OrtSession.fromBytes(encodeModel(makeModel(graph, { opset: 17 })))
    expect(s.inputs).toEqual([{ name: 'X', type: 'float32', shape: ['n'] }])
    const out = s.runSync({ X: tensor('float32', new Float32Array([1, 2.5]), [2]) })
    expect(Array.from(out.Y!.data as Float32Array)).toEqual([2, 5])
    s.dispose()
  })

  it('a binding of another shape is refused with a message naming what changed', () => {
    const changed = { initOrt: () => undefined, binding: { InferenceSession: class {} } }
    let err: unknown
    try {
      checkBinding(changed, '9.9.9')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AppFailure)
    expect((err as AppFailure).message).toMatch(
      /onnxruntime-node 9\.9\.9 changed its private binding \(dist\/binding lacks loadModel, run, dispose\)/
    )
    expect(() => checkBinding({}, '9.9.9')).toThrow(/lacks initOrt\(\), binding\.InferenceSession/)
  })
})
