#!/usr/bin/env node
// Makes every icon the installers need from one source image, resources/icon-source.png (1024x1024 RGBA):
//   resources/icons/<n>x<n>.png  Linux (AppImage, deb) at 16..1024
//   resources/icon.png           512 px, the window icon on Linux
//   resources/icon.ico           Windows (nsis, the exe): 16..256, PNG-compressed entries
//   resources/icon.icns          macOS (dmg, the app bundle): 16..1024, PNG entries
// Pure Node (zlib): no ImageMagick or native image library needed. `node scripts/make-icons.mjs --draw-source`
// first redraws the source image itself (the app's mark: A/B beat bars on the app's dark background).
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const resources = path.join(root, 'resources')
const SOURCE = path.join(resources, 'icon-source.png')
const SOURCE_SIZE = 1024
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
// ICNS entry types with PNG payloads, by pixel size.
export const ICNS_TYPES = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' }

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/** RGBA 8-bit pixels → PNG bytes. */
export function encodePng(width, height, rgba) {
  const raw = Buffer.alloc((width * 4 + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1)
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 6, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ])
}

/** PNG bytes (8-bit RGBA, not interlaced: what encodePng writes) → { width, height, rgba }. */
export function decodePng(png) {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG')
  let offset = 8
  let width = 0
  let height = 0
  const idat = []
  while (offset < png.length) {
    const length = png.readUInt32BE(offset)
    const type = png.toString('ascii', offset + 4, offset + 8)
    const data = png.subarray(offset + 8, offset + 8 + length)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      if (data[8] !== 8 || data[9] !== 6 || data[12] !== 0) throw new Error('only 8-bit RGBA, non-interlaced PNGs')
    } else if (type === 'IDAT') idat.push(data)
    offset += 12 + length
  }
  const raw = zlib.inflateSync(Buffer.concat(idat))
  const stride = width * 4
  const rgba = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? rgba[y * stride + x - 4] : 0
      const b = y > 0 ? rgba[(y - 1) * stride + x] : 0
      const c = x >= 4 && y > 0 ? rgba[(y - 1) * stride + x - 4] : 0
      const p = a + b - c
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]
      if (predictor === undefined) throw new Error(`unknown PNG filter ${filter}`)
      rgba[y * stride + x] = (line[x] + predictor) & 0xff
    }
  }
  return { width, height, rgba }
}

/** Source pixels covering target pixel i, with the fraction of each that lies inside it (area averaging). */
function coverageWeights(size, target) {
  const f = size / target
  return Array.from({ length: target }, (_, i) => {
    const from = i * f
    const to = (i + 1) * f
    const weights = []
    for (let j = Math.floor(from); j < Math.ceil(to); j++) weights.push([j, Math.min(to, j + 1) - Math.max(from, j)])
    return weights
  })
}

/** Area-average downscale to any smaller size, in premultiplied alpha so edges keep their colour. */
export function downscale(src, size, target) {
  const w = coverageWeights(size, target)
  const out = new Uint8Array(target * target * 4)
  for (let y = 0; y < target; y++)
    for (let x = 0; x < target; x++) {
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      let total = 0
      for (const [sy, wy] of w[y])
        for (const [sx, wx] of w[x]) {
          const i = (sy * size + sx) * 4
          const weight = wx * wy
          const alpha = (src[i + 3] / 255) * weight
          r += src[i] * alpha
          g += src[i + 1] * alpha
          b += src[i + 2] * alpha
          a += alpha
          total += weight
        }
      const o = (y * target + x) * 4
      out[o] = a ? Math.round(r / a) : 0
      out[o + 1] = a ? Math.round(g / a) : 0
      out[o + 2] = a ? Math.round(b / a) : 0
      out[o + 3] = Math.round((a / total) * 255)
    }
  return out
}

/** Windows .ico holding PNG-compressed images (Vista and later read these). */
export function encodeIco(pngs) {
  const header = Buffer.alloc(6 + 16 * pngs.length)
  header.writeUInt16LE(0, 0)
  header.writeUInt16LE(1, 2)
  header.writeUInt16LE(pngs.length, 4)
  let offset = header.length
  pngs.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i
    header[e] = size >= 256 ? 0 : size
    header[e + 1] = size >= 256 ? 0 : size
    header.writeUInt16LE(1, e + 4)
    header.writeUInt16LE(32, e + 6)
    header.writeUInt32LE(png.length, e + 8)
    header.writeUInt32LE(offset, e + 12)
    offset += png.length
  })
  return Buffer.concat([header, ...pngs.map((p) => p.png)])
}

/** macOS .icns with PNG entries. */
export function encodeIcns(pngs) {
  const entries = pngs.map(({ size, png }) => {
    const head = Buffer.alloc(8)
    head.write(ICNS_TYPES[size], 0, 'ascii')
    head.writeUInt32BE(png.length + 8, 4)
    return Buffer.concat([head, png])
  })
  const body = Buffer.concat(entries)
  const head = Buffer.alloc(8)
  head.write('icns', 0, 'ascii')
  head.writeUInt32BE(body.length + 8, 4)
  return Buffer.concat([head, body])
}

/** The source image: beat bars (A in teal, B in amber) on a rounded dark square, anti-aliased analytically. */
function drawSource(size) {
  const px = new Uint8Array(size * size * 4)
  const s = size / 1024
  const coverage = (d) => Math.min(1, Math.max(0, 0.5 - d)) // signed distance (px) → pixel coverage
  const roundedRect = (x, y, cx, cy, hw, hh, r) => {
    const qx = Math.abs(x - cx) - hw + r
    const qy = Math.abs(y - cy) - hh + r
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r
  }
  const heights = [0.35, 0.62, 0.9, 0.55, 0.78, 0.42, 0.68]
  const bars = heights.map((h, i) => ({
    cx: (232 + i * 93.3) * s,
    hh: h * 300 * s,
    color: i % 2 === 0 ? [45, 212, 191] : [251, 191, 36]
  }))
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const fx = x + 0.5
      const fy = y + 0.5
      const bg = coverage(roundedRect(fx, fy, size / 2, size / 2, 460 * s, 460 * s, 200 * s))
      let color = [17, 20, 24]
      for (const bar of bars) {
        const c = coverage(roundedRect(fx, fy, bar.cx, size / 2, 30 * s, bar.hh, 30 * s))
        if (c > 0) color = color.map((v, k) => v + (bar.color[k] - v) * c)
      }
      const o = (y * size + x) * 4
      px[o] = Math.round(color[0])
      px[o + 1] = Math.round(color[1])
      px[o + 2] = Math.round(color[2])
      px[o + 3] = Math.round(bg * 255)
    }
  return px
}

function main() {
  if (process.argv.includes('--draw-source'))
    fs.writeFileSync(SOURCE, encodePng(SOURCE_SIZE, SOURCE_SIZE, drawSource(SOURCE_SIZE)))
  const source = decodePng(fs.readFileSync(SOURCE))
  if (source.width !== SOURCE_SIZE || source.height !== SOURCE_SIZE)
    throw new Error(`${SOURCE} must be ${SOURCE_SIZE}x${SOURCE_SIZE}`)
  const png = new Map(
    LINUX_SIZES.map((size) => [
      size,
      encodePng(size, size, size === SOURCE_SIZE ? source.rgba : downscale(source.rgba, SOURCE_SIZE, size))
    ])
  )
  const dir = path.join(resources, 'icons')
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  for (const [size, bytes] of png) fs.writeFileSync(path.join(dir, `${size}x${size}.png`), bytes)
  fs.writeFileSync(path.join(resources, 'icon.png'), png.get(512))
  fs.writeFileSync(path.join(resources, 'icon.ico'), encodeIco(ICO_SIZES.map((size) => ({ size, png: png.get(size) }))))
  fs.writeFileSync(
    path.join(resources, 'icon.icns'),
    encodeIcns(Object.keys(ICNS_TYPES).map((size) => ({ size: Number(size), png: png.get(Number(size)) })))
  )
  console.log(
    `icons: ${LINUX_SIZES.join(', ')} px PNGs, icon.ico (${ICO_SIZES.join(', ')}), icon.icns (${Object.keys(ICNS_TYPES).join(', ')})`
  )
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main()
