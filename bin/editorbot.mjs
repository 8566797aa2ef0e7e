#!/usr/bin/env node
// The CLI runs the TypeScript services directly through tsx, so scripts always use the current code.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/main/cli/index.ts')
process.exitCode = await main(process.argv.slice(2))
