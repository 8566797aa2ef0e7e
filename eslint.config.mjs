import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

/** Layers: renderer never imports main or Node; 'electron' only in the Electron glue; shared imports nothing platform-specific. */
const NODE_BUILTINS = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http']

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'node_modules/**',
      '.tmp/**',
      'dist/**',
      'coverage/**',
      'test-results/**',
      'test/fixtures/**',
      '**/*.d.ts'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.mjs', 'bin/*.mjs', 'scripts/*.mjs', '.ci/*.mjs']
        },
        tsconfigRootDir: import.meta.dirname
      },
      globals: { ...globals.node }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Command and handler interfaces are async by contract; some implementations need no await.
      '@typescript-eslint/require-await': 'off',
      // Index reads are asserted for readability in numeric code; without noUncheckedIndexedAccess these are no-ops.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                "Only src/main/index.ts, src/main/electron/, src/main/ipc/electron.ts and src/preload may import 'electron'."
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src/main/index.ts', 'src/main/electron/**', 'src/main/ipc/electron.ts', 'src/preload/**'],
    rules: { 'no-restricted-imports': 'off' }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to main only through src/renderer/src/api.' }],
          patterns: [
            {
              group: ['**/main/**', '../../main/*'],
              message: 'The renderer never imports main code; use the API contract.'
            },
            { group: NODE_BUILTINS, message: 'The renderer runs in a browser: no Node modules.' }
          ]
        }
      ]
    }
  },
  {
    files: ['src/renderer/src/**/*.{ts,tsx}'],
    ignores: ['src/renderer/src/audio/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks to main only through src/renderer/src/api.' },
            { name: 'tone', message: 'Tone.js lives only under src/renderer/src/audio.' }
          ],
          patterns: [
            { group: ['**/main/**'], message: 'The renderer never imports main code; use the API contract.' },
            { group: NODE_BUILTINS, message: 'The renderer runs in a browser: no Node modules.' }
          ]
        }
      ]
    }
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react', 'tone', 'better-sqlite3', 'onnxruntime-node'],
          patterns: [
            {
              group: [...NODE_BUILTINS, '**/main/**', '**/renderer/**', '**/preload/**'],
              message: 'src/shared imports nothing platform-specific.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked
  }
)
