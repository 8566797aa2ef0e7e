import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 60_000 }
      },
      {
        test: { name: 'db', include: ['test/db/**/*.test.ts'], environment: 'node', testTimeout: 60_000 }
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // One Chromium and one server at a time: the CI machine has 2 cores.
          fileParallelism: false
        }
      }
    ]
  }
})
