import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import { importZones } from './eslint.zones.mjs'

/** Layers and which may import which: eslint.zones.mjs. */

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
      '**/*.d.ts',
      '**/*.d.mts'
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
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  ...importZones,
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked
  }
)
