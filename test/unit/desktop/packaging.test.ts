import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { minimatch } from 'minimatch'
import { z } from 'zod'

/**
 * The installers' configuration against package.json and the installed packages: native addons rebuilt for
 * Electron and unpacked from the asar, ABI-bound versions pinned, renderer-only packages kept out of the app,
 * icons at every size the targets need. (test/unit/desktop/bundles.test.ts checks the bundles' own imports.)
 */
const root = path.resolve(__dirname, '../../..')
const require = createRequire(import.meta.url)
// js-yaml comes with electron-builder, which reads the same file with it.
const yaml = require('js-yaml') as { load(text: string): unknown }

const builderSchema = z.object({
  appId: z.string().regex(/^[a-z][\w-]*(\.[a-z][\w-]*)+$/),
  productName: z.string().min(1),
  directories: z.object({ buildResources: z.string(), output: z.string() }),
  files: z.array(z.string()),
  asarUnpack: z.array(z.string()),
  npmRebuild: z.boolean().optional(),
  buildDependenciesFromSource: z.boolean().optional(),
  linux: z.object({ target: z.array(z.string()), icon: z.string() }),
  mac: z.object({ target: z.union([z.string(), z.array(z.string())]), icon: z.string() }),
  win: z.object({ target: z.union([z.string(), z.array(z.string())]), icon: z.string() })
})
const pkgSchema = z.object({
  main: z.string(),
  engines: z.object({ node: z.string() }),
  scripts: z.record(z.string(), z.string()),
  dependencies: z.record(z.string(), z.string()),
  optionalDependencies: z.record(z.string(), z.string()).default({}),
  devDependencies: z.record(z.string(), z.string()),
  allowScripts: z.record(z.string(), z.boolean())
})

const builder = builderSchema.parse(yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')))
const pkg = pkgSchema.parse(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')))
const runtime = { ...pkg.dependencies, ...pkg.optionalDependencies }

/** Every file below a folder, relative to it. */
function walk(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const p = path.posix.join(rel, e.name)
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(dir, p)
    return [p]
  })
}

/** Native addons and shared libraries an installed runtime package carries. */
function nativeFiles(name: string): string[] {
  const dir = path.join(root, 'node_modules', name)
  if (!fs.existsSync(dir)) return []
  return walk(dir).filter((f) => /\.node$|\.so(\.\d+)*$|\.dylib$|\.dll$/.test(f) && !/(^|\/)(test|tests)\//.test(f))
}

const KNOWN_NATIVE = ['better-sqlite3', 'onnxruntime-node', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']
const unpacked = (file: string): boolean => builder.asarUnpack.some((glob) => minimatch(file, glob, { dot: true }))

describe('installers', () => {
  it('name the app and build AppImage + deb, dmg and nsis with their icons', () => {
    expect(builder.appId).toBe('studio.editorbot.app')
    expect(builder.productName).toBe('EditorBot Studio')
    expect(builder.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']))
    expect([builder.mac.target].flat()).toContain('dmg')
    expect([builder.win.target].flat()).toContain('nsis')
    expect(pkg.scripts.dist).toMatch(/electron-vite build && electron-builder/)
    expect(builder.files).toContain('out/**')
    expect(builder.files).toContain('!out/cli/**')
  })

  it('have icons at every size the targets need, each file the size it claims', () => {
    const res = path.join(root, builder.directories.buildResources)
    const pngSize = (file: string): [number, number] => {
      const b = fs.readFileSync(file)
      expect(b.readUInt32BE(0)).toBe(0x89504e47)
      return [b.readUInt32BE(16), b.readUInt32BE(20)]
    }
    const linuxDir = path.join(root, builder.linux.icon)
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512])
      expect(pngSize(path.join(linuxDir, `${size}x${size}.png`)), `${size}x${size}.png`).toEqual([size, size])
    const ico = fs.readFileSync(path.join(root, builder.win.icon))
    const icoSizes = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + 16 * i] || 256)
    expect(icoSizes).toEqual(expect.arrayContaining([16, 32, 48, 256]))
    const icns = fs.readFileSync(path.join(root, builder.mac.icon))
    expect(icns.toString('ascii', 0, 4)).toBe('icns')
    expect(icns.readUInt32BE(4)).toBe(icns.length)
    const types: string[] = []
    for (let o = 8; o < icns.length; o += icns.readUInt32BE(o + 4)) types.push(icns.toString('ascii', o, o + 4))
    expect(types).toEqual(expect.arrayContaining(['ic07', 'ic08', 'ic09', 'ic10']))
    expect(fs.existsSync(path.join(res, 'icon-source.png'))).toBe(true)
  })
})

describe('native modules', () => {
  it('are rebuilt for Electron, never from an npm cache of the Node build', () => {
    expect(builder.npmRebuild ?? true).toBe(true)
  })

  it('are runtime dependencies with approved install scripts, pinned when their ABI is Electron-bound', () => {
    for (const name of ['better-sqlite3', 'onnxruntime-node']) {
      expect(pkg.dependencies[name], name).toMatch(/^\d+\.\d+\.\d+$/)
      const installed = z.object({ version: z.string() }).parse(require(`${name}/package.json`))
      expect(installed.version, `${name} installed`).toBe(pkg.dependencies[name])
    }
    expect(pkg.devDependencies.electron).toMatch(/^\d+\.\d+\.\d+$/)
    expect(pkg.allowScripts['better-sqlite3']).toBe(true)
    // Electron's script downloads the runtime; onnxruntime-node's only the optional CUDA provider.
    expect(pkg.allowScripts.electron).toBe(false)
    expect(pkg.allowScripts['onnxruntime-node']).toBe(false)
  })

  it('every native file of an installed runtime package is unpacked from the asar', () => {
    let checked = 0
    for (const name of Object.keys(runtime)) {
      for (const file of nativeFiles(name)) {
        checked++
        expect(unpacked(`node_modules/${name}/${file}`), `node_modules/${name}/${file} must be in asarUnpack`).toBe(
          true
        )
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2) // better-sqlite3's addon and onnxruntime's binding at least
  })

  it('covers the native packages that may be missing here (tfjs-node backends) by their install layout', () => {
    for (const name of KNOWN_NATIVE.filter((n) => n in runtime)) {
      const sample =
        name === 'better-sqlite3'
          ? 'build/Release/better_sqlite3.node'
          : name === 'onnxruntime-node'
            ? 'bin/napi-v6/linux/x64/libonnxruntime.so.1'
            : 'lib/napi-v8/tfjs_binding.node'
      expect(unpacked(`node_modules/${name}/${sample}`), name).toBe(true)
    }
    // tfjs-node loads libtensorflow from deps/lib next to its binding.
    expect(unpacked('node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2')).toBe(true)
  })
})

describe('what goes into the app', () => {
  it('keeps renderer-only and build-time packages out of the runtime dependencies', () => {
    const rendererOnly = ['react', 'react-dom', 'tone', 'uplot', '@tanstack/react-query']
    const buildTime = ['tsx', 'vite', 'electron', 'electron-vite', 'electron-builder', 'typescript', 'vitest']
    for (const name of [...rendererOnly, ...buildTime]) expect(runtime, name).not.toHaveProperty(name)
    for (const name of rendererOnly) expect(pkg.devDependencies, name).toHaveProperty(name)
  })

  it("never excludes a runtime dependency's code with a files pattern", () => {
    for (const name of Object.keys(runtime)) {
      const main = `node_modules/${name}/index.js`
      const excluded = builder.files
        .filter((f) => f.startsWith('!'))
        .some((f) => minimatch(main, f.slice(1), { dot: true }))
      expect(excluded, name).toBe(false)
    }
  })

  it('targets the Node that Electron ships (22+)', () => {
    expect(pkg.engines.node).toBe('>=22')
    expect(pkg.devDependencies['@types/node']).toMatch(/^\^22\./)
  })
})
