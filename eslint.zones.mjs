/**
 * Import zones: which layer may import what. eslint.config.mjs applies them; test/unit/lint-zones.test.ts
 * proves each zone fires. Later entries override earlier ones for the files they match, so each zone
 * lists every restriction that holds in it.
 */
const NODE_BUILTINS = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http']

const electron = {
  name: 'electron',
  message:
    "Only the Electron transport (src/main/index.ts, src/main/transports/electron/) and src/preload import 'electron'."
}
const onnxruntime = {
  name: 'onnxruntime-node',
  message: 'onnxruntime-node has one owner, src/main/engines/ml/onnx-runtime.ts: use its functions.'
}
const tensorflow = { group: ['@tensorflow/*'], message: 'TensorFlow.js is used only under src/main/engines/ml.' }
const tensorflowEntry = {
  group: ['@tensorflow/*'],
  message: 'Import TensorFlow.js through src/main/engines/ml/tf.ts: it is the one module that registers the gradients.'
}
const engineReach = {
  regex: '^(\\.\\./)+(db|api|app|transports|services|workers)(/|$)',
  message: 'Engines are pure computation: they never import the database, services, transports, workers or app wiring.'
}
const serviceReach = {
  regex: '^(\\.\\./)+(api|transports)(/|$)',
  message: 'Services are use cases: transports call them, never the other way round.'
}
const dbReach = {
  regex: '^(\\.\\./)+(api|app|transports|services|engines|workers)(/|$)',
  message: 'The db layer holds migrations and plain queries: it imports only shared types.'
}
const electronReachesHttp = {
  regex: '(^|/)http(/|$)',
  message: 'The Electron glue never imports the HTTP server; shared pieces live in src/main/app.'
}
const rendererReachesMain = [
  { group: ['**/main/**', '../../main/*'], message: 'The renderer never imports main code; use the API contract.' },
  { group: NODE_BUILTINS, message: 'The renderer runs in a browser: no Node modules.' }
]

const restrict = (paths, patterns) => ({ 'no-restricted-imports': ['error', { paths, patterns }] })

export const importZones = [
  { files: ['**/*.{ts,tsx,mjs}'], rules: restrict([electron, onnxruntime], [tensorflow]) },
  { files: ['src/main/engines/**/*.ts'], rules: restrict([electron, onnxruntime], [tensorflow, engineReach]) },
  { files: ['src/main/engines/ml/**/*.ts'], rules: restrict([electron, onnxruntime], [tensorflowEntry, engineReach]) },
  { files: ['src/main/engines/ml/tf.ts'], rules: restrict([electron, onnxruntime], [engineReach]) },
  { files: ['src/main/engines/ml/onnx-runtime.ts'], rules: restrict([electron], [tensorflowEntry, engineReach]) },
  { files: ['src/main/services/**/*.ts'], rules: restrict([electron, onnxruntime], [tensorflow, serviceReach]) },
  { files: ['src/main/db/**/*.ts'], rules: restrict([electron, onnxruntime], [tensorflow, dbReach]) },
  {
    files: ['src/main/index.ts', 'src/main/transports/electron/**/*.ts'],
    rules: restrict([onnxruntime], [tensorflow, electronReachesHttp])
  },
  { files: ['src/preload/**/*.ts'], rules: restrict([onnxruntime], [tensorflow]) },
  // Tests and benchmarks exercise the ML engine's TensorFlow.js code directly, through its one entry module.
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: restrict([electron, onnxruntime], [tensorflowEntry]) },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: restrict(
      [{ name: 'electron', message: 'The renderer talks to main only through src/renderer/src/api.' }],
      rendererReachesMain
    )
  },
  {
    files: ['src/renderer/src/**/*.{ts,tsx}'],
    ignores: ['src/renderer/src/audio/**'],
    rules: restrict(
      [
        { name: 'electron', message: 'The renderer talks to main only through src/renderer/src/api.' },
        { name: 'tone', message: 'Tone.js lives only under src/renderer/src/audio.' }
      ],
      rendererReachesMain
    )
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict(
      ['electron', 'react', 'tone', 'better-sqlite3', 'onnxruntime-node'],
      [
        {
          group: [...NODE_BUILTINS, '**/main/**', '**/renderer/**', '**/preload/**', '@tensorflow/*'],
          message: 'src/shared imports nothing platform-specific.'
        }
      ]
    )
  }
]
