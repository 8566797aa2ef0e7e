#!/usr/bin/env node
// Bundles the CLI (src/main/transports/cli/index.ts) and the worker threads it starts into out/cli/
// with esbuild (vite's own copy), so `editorbot` starts without compiling TypeScript. npm packages
// stay external (loaded from node_modules as usual). out/cli/inputs.json lists every source file
// in the bundle: bin/editorbot.mjs runs the bundle only while none is newer, else the sources.
import { createRequire } from 'node:module'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outdir = path.join(root, 'out/cli')

/** esbuild as vite depends on it (not a top-level package here). */
async function loadEsbuild() {
  const fromVite = createRequire(createRequire(import.meta.url).resolve('vite/package.json'))
  return import(pathToFileURL(fromVite.resolve('esbuild')).href)
}

export async function buildCli() {
  const esbuild = await loadEsbuild()
  rmSync(outdir, { recursive: true, force: true })
  mkdirSync(outdir, { recursive: true })
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: {
      index: 'src/main/transports/cli/index.ts',
      // Worker threads, beside the main bundle (src/main/workers/entry.ts finds them there).
      'job-worker': 'src/main/workers/job-worker.ts',
      'render-worker': 'src/main/workers/render-worker.ts',
      'backend-entry': 'src/main/backend/entry.ts'
    },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // CommonJS: Node then loads the (CommonJS) npm packages with plain require, skipping the export
    // scan an ES module pays for each one (half of the start-up time of `--help`).
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    packages: 'external',
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    sourcemap: true,
    metafile: true,
    logLevel: 'warning'
  })
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/'))
  writeFileSync(path.join(outdir, 'inputs.json'), JSON.stringify({ builtAt: Date.now(), inputs }))
  return { outdir, inputs: inputs.length }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now()
  const { inputs } = await buildCli()
  console.log(`CLI bundle: out/cli/ from ${inputs} source files in ${Math.round(performance.now() - t0)} ms`)
}
