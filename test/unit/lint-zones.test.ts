import { describe, expect, it } from 'vitest'
import { ESLint, type Linter } from 'eslint'
import tseslint from 'typescript-eslint'
import { importZones } from '../../eslint.zones.mjs'

/** Lints one snippet as if it lived at `filePath`, with the project's import zones and nothing else. */
async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: process.cwd(),
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.{ts,tsx}'], languageOptions: { parser: tseslint.parser as Linter.Parser } },
      ...importZones
    ]
  })
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('import zones', () => {
  it('an engine importing the database fails lint', async () => {
    const messages = await restrictedImports(
      'src/main/engines/edits/probe.ts',
      "import { openDatabase } from '../../db/connection'\nexport const x = openDatabase\n"
    )
    expect(messages.join('\n')).toMatch(/Engines are pure computation/)
  })

  it('an engine importing a sibling engine and shared code passes', async () => {
    const messages = await restrictedImports(
      'src/main/engines/edits/probe.ts',
      "import { fft } from '../analysis/fft'\nimport { FEATURE_DIM } from '../../../shared/features'\nexport const x = [fft, FEATURE_DIM]\n"
    )
    expect(messages).toEqual([])
  })

  it('onnxruntime-node is importable only from its owning module', async () => {
    const code = "import * as ort from 'onnxruntime-node'\nexport const x = ort\n"
    expect((await restrictedImports('src/main/engines/ml/policy.ts', code)).join()).toMatch(/one owner/)
    expect(await restrictedImports('src/main/engines/ml/onnx-runtime.ts', code)).toEqual([])
  })

  it('TensorFlow.js is refused outside the ML engine', async () => {
    const code = "import * as tf from '@tensorflow/tfjs-core'\nexport const x = tf\n"
    expect((await restrictedImports('src/main/services/listen/probe.ts', code)).join()).toMatch(/TensorFlow/)
    expect(await restrictedImports('src/main/engines/ml/tf.ts', code)).toEqual([])
  })

  it('inside the ML engine, tests and benchmarks TensorFlow.js comes only through engines/ml/tf.ts', async () => {
    const umbrella = "import * as tf from '@tensorflow/tfjs'\nexport const x = tf\n"
    for (const file of ['src/main/engines/ml/rlhf/probe.ts', 'test/unit/engines/ml/probe.ts', 'bench/probe.ts'])
      expect((await restrictedImports(file, umbrella)).join()).toMatch(/through src\/main\/engines\/ml\/tf\.ts/)
    const entry = "import * as tf from './tf'\nexport const x = tf\n"
    expect(await restrictedImports('src/main/engines/ml/probe.ts', entry)).toEqual([])
  })

  it('services never import transports, and the Electron glue never imports the HTTP server', async () => {
    const svc = await restrictedImports(
      'src/main/services/songs/probe.ts',
      "import { startServer } from '../../transports/http/serve'\nexport const x = startServer\n"
    )
    expect(svc.join()).toMatch(/Services are use cases/)
    const glue = await restrictedImports(
      'src/main/transports/electron/probe.ts',
      "import { startServer } from '../http/serve'\nexport const x = startServer\n"
    )
    expect(glue.join()).toMatch(/never imports the HTTP server/)
  })

  it("'electron' is refused outside the Electron transport and the preload", async () => {
    const code = "import { app } from 'electron'\nexport const x = app\n"
    expect((await restrictedImports('src/main/services/jobs/probe.ts', code)).join()).toMatch(/Electron transport/)
    expect(await restrictedImports('src/main/transports/electron/probe.ts', code)).toEqual([])
  })

  it('the db layer imports no services', async () => {
    const messages = await restrictedImports(
      'src/main/db/queries/probe.ts',
      "import { submitVerdict } from '../../services/listen'\nexport const x = submitVerdict\n"
    )
    expect(messages.join()).toMatch(/db layer/)
  })
})
