import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { builtinModules } from 'node:module'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseAst } from 'rollup/parseAst'
import { contentSecurityPolicy } from '../../../src/main/transports/electron/policy'

/**
 * `electron-vite build` into a temporary folder, then checks of what it produced: the bundles exist, the renderer
 * imports nothing from Electron or Node, the main side never turns the sandbox off or Node integration on, and
 * every package the main-side bundles load at run time is a runtime dependency (so electron-builder packs it).
 */
const root = path.resolve(__dirname, '../../..')
let out: string

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-bundles-'))
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', out],
    {
      cwd: root,
      stdio: 'pipe'
    }
  )
}, 240_000)
afterAll(() => fs.rmSync(out, { recursive: true, force: true }))

const read = (dir: string): { file: string; code: string }[] =>
  fs
    .readdirSync(path.join(out, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(c|m)?js$/.test(f))
    .map((f) => ({ file: `${dir}/${f}`, code: fs.readFileSync(path.join(out, dir, f), 'utf8') }))

/** Module specifiers a bundle loads (static and dynamic imports, re-exports, require calls), from its syntax tree. */
function specifiers(code: string): string[] {
  const found = new Set<string>()
  const literal = (node: unknown): string | null => {
    const n = node as { type?: string; value?: unknown } | null
    return n?.type === 'Literal' && typeof n.value === 'string' ? n.value : null
  }
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return
    if (Array.isArray(node)) return node.forEach(visit)
    const n = node as Record<string, unknown> & { type?: string }
    if (
      n.type === 'ImportDeclaration' ||
      n.type === 'ImportExpression' ||
      n.type === 'ExportAllDeclaration' ||
      n.type === 'ExportNamedDeclaration'
    ) {
      const spec = literal(n.source)
      if (spec) found.add(spec)
    }
    if (n.type === 'CallExpression') {
      const callee = n.callee as { type?: string; name?: string }
      const args = n.arguments as unknown[]
      const spec = literal(args[0])
      // require, and the require$1 that bundling makes of `const require = createRequire(import.meta.url)`.
      if (callee.type === 'Identifier' && /^require(\$\d+)?$/.test(callee.name ?? '') && spec) found.add(spec)
    }
    // The optional TensorFlow backends are loaded by name through a helper (src/main/engines/ml/backend.ts).
    const text = literal(n)
    if (text && /^@tensorflow\/tfjs-node(-gpu)?$/.test(text)) found.add(text)
    for (const [key, value] of Object.entries(n)) if (key !== 'type') visit(value)
  }
  visit(parseAst(code))
  return [...found]
}
const packageOf = (spec: string): string =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string)
const isBuiltin = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(packageOf(spec))
const isRelative = (spec: string): boolean => spec.startsWith('.') || spec.startsWith('/')

describe('electron-vite build output', () => {
  it('has the main, backend, worker, preload and renderer bundles', () => {
    for (const f of [
      'main/index.js',
      'main/backend.js',
      'main/job-worker.js',
      'main/render-worker.js',
      'preload/index.cjs',
      'renderer/index.html'
    ])
      expect(fs.existsSync(path.join(out, f)), f).toBe(true)
    const html = fs.readFileSync(path.join(out, 'renderer/index.html'), 'utf8')
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1]
    expect(script).toBeDefined()
    expect(fs.existsSync(path.join(out, 'renderer', script as string))).toBe(true)
  })

  it("gives the page the desktop policy's CSP", () => {
    const html = fs.readFileSync(path.join(out, 'renderer/index.html'), 'utf8')
    expect(html).toContain(`content="${contentSecurityPolicy({ dev: false, delivery: 'meta' })}"`)
  })

  it('renderer imports nothing from Electron or Node', () => {
    const bundles = read('renderer')
    expect(bundles.length).toBeGreaterThan(0)
    for (const { file, code } of bundles)
      for (const spec of specifiers(code)) {
        expect(spec, `${file} imports ${spec}`).not.toBe('electron')
        expect(isBuiltin(spec) && !isRelative(spec), `${file} imports ${spec}`).toBe(false)
        // Everything is bundled: only the bundle's own chunks may be imported.
        expect(isRelative(spec) || /^https?:|^data:/.test(spec), `${file} imports ${spec}`).toBe(true)
      }
    for (const { file, code } of bundles) expect(/\brequire\(\s*["']electron["']\s*\)/.test(code), file).toBe(false)
  })

  it('main side never turns the sandbox off, Node integration on or context isolation off', () => {
    for (const { file, code } of [...read('main'), ...read('preload')]) {
      expect(/\bsandbox\s*:\s*(false|!1)/.test(code), `${file}: sandbox off`).toBe(false)
      expect(/\bnodeIntegration(InWorker|InSubFrames)?\s*:\s*(true|!0)/.test(code), `${file}: nodeIntegration on`).toBe(
        false
      )
      expect(/\bcontextIsolation\s*:\s*(false|!1)/.test(code), `${file}: contextIsolation off`).toBe(false)
      expect(/\bwebSecurity\s*:\s*(false|!1)/.test(code), `${file}: webSecurity off`).toBe(false)
    }
    const main = fs.readFileSync(path.join(out, 'main/index.js'), 'utf8')
    expect(main).toMatch(/sandbox\s*:\s*(true|!0)/)
  })

  it('every package the main-side bundles load is a runtime dependency (packed by electron-builder)', () => {
    const pkg = z
      .object({
        dependencies: z.record(z.string(), z.string()),
        optionalDependencies: z.record(z.string(), z.string()).default({})
      })
      .parse(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')))
    const runtime = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies)])
    const loaded = new Set<string>()
    for (const { code } of [...read('main'), ...read('preload')])
      for (const spec of specifiers(code)) if (!isRelative(spec) && !isBuiltin(spec)) loaded.add(packageOf(spec))
    loaded.delete('electron') // provided by the runtime itself
    expect([...loaded]).toEqual(expect.arrayContaining(['better-sqlite3', 'onnxruntime-node', '@tensorflow/tfjs-node']))
    for (const name of loaded)
      expect(runtime.has(name), `${name} is loaded by the app but not a runtime dependency`).toBe(true)
    // The heavy engines are loaded by the backend process, not the window's main process.
    const main = specifiers(fs.readFileSync(path.join(out, 'main/index.js'), 'utf8'))
    expect(main.some((s) => s.startsWith('better-sqlite3') || s.startsWith('@tensorflow'))).toBe(false)
  })
})
