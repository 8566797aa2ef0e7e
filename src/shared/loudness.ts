/**
 * Integrated loudness per ITU-R BS.1770-4 (the measure EBU R128 uses), in LUFS (= LKFS): K-weighting
 * (a high-shelf "head" filter then a 38 Hz high-pass), mean square over 400 ms blocks overlapping by
 * 75 %, an absolute gate at -70 LUFS and a relative gate 10 LU below the ungated mean. Pure.
 *
 * The filters are designed for any sample rate from the analogue prototype (the same parameters
 * libebur128 uses), so they match the standard's 48 kHz coefficients there and stay right elsewhere.
 */

interface Biquad {
  b0: number
  b1: number
  b2: number
  a1: number
  a2: number
}

function headShelf(fs: number): Biquad {
  const f0 = 1681.974450955533
  const gainDb = 3.999843853973347
  const q = 0.7071752369554196
  const k = Math.tan((Math.PI * f0) / fs)
  const vh = 10 ** (gainDb / 20)
  const vb = vh ** 0.4996667741545416
  const a0 = 1 + k / q + k * k
  return {
    b0: (vh + (vb * k) / q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0
  }
}

function highPass(fs: number): Biquad {
  const f0 = 38.13547087602444
  const q = 0.5003270373238773
  const k = Math.tan((Math.PI * f0) / fs)
  const a0 = 1 + k / q + k * k
  return { b0: 1, b1: -2, b2: 1, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / q + k * k) / a0 }
}

/** BS.1770 channel weights for up to 5.1 in the usual order (L, R, C, LFE, Ls, Rs); LFE is not counted. */
const CHANNEL_WEIGHTS = [1, 1, 1, 0, 1.41, 1.41]

const ABSOLUTE_GATE_LUFS = -70
const RELATIVE_GATE_LU = -10

/**
 * Sums of the K-weighted signal's squares over consecutive 100 ms steps (the last partial step dropped),
 * two cascaded direct-form-I biquads per sample.
 */
function stepEnergies(x: ArrayLike<number>, fs: number, step: number): Float64Array {
  const h = headShelf(fs)
  const p = highPass(fs)
  const steps = Math.floor(x.length / step)
  const out = new Float64Array(steps)
  let x1 = 0
  let x2 = 0
  let y1 = 0
  let y2 = 0
  let z1 = 0
  let z2 = 0
  for (let s = 0; s < steps; s++) {
    let acc = 0
    const end = (s + 1) * step
    for (let i = s * step; i < end; i++) {
      const x0 = x[i] as number
      const y0 = h.b0 * x0 + h.b1 * x1 + h.b2 * x2 - h.a1 * y1 - h.a2 * y2
      const z0 = p.b0 * y0 + p.b1 * y1 + p.b2 * y2 - p.a1 * z1 - p.a2 * z2
      x2 = x1
      x1 = x0
      y2 = y1
      y1 = y0
      z2 = z1
      z1 = z0
      acc += z0 * z0
    }
    out[s] = acc
  }
  return out
}

const toLufs = (weightedMeanSquare: number): number => -0.691 + 10 * Math.log10(weightedMeanSquare)

/**
 * Integrated loudness of planar audio (one array per channel) in LUFS, or null when nothing passes
 * the gates (silence, or shorter than one 400 ms block).
 */
export function integratedLoudness(channels: readonly ArrayLike<number>[], sampleRate: number): number | null {
  if (channels.length === 0 || !(sampleRate > 0)) return null
  const step = Math.round(sampleRate * 0.1)
  const perChannel = channels.map((c) => stepEnergies(c, sampleRate, step))
  const steps = Math.min(...perChannel.map((e) => e.length))
  const blocks = steps - 3
  if (blocks <= 0) return null
  const blockLen = 4 * step
  // Per block: the weighted sum over channels of the mean square.
  const blockPower = new Float64Array(blocks)
  for (let j = 0; j < blocks; j++) {
    let sum = 0
    perChannel.forEach((e, c) => {
      const w = CHANNEL_WEIGHTS[c] ?? 1
      if (w === 0) return
      sum += (w * ((e[j] as number) + (e[j + 1] as number) + (e[j + 2] as number) + (e[j + 3] as number))) / blockLen
    })
    blockPower[j] = sum
  }
  const meanOver = (keep: (p: number) => boolean): number | null => {
    let sum = 0
    let n = 0
    for (const p of blockPower)
      if (p > 0 && keep(p)) {
        sum += p
        n++
      }
    return n > 0 ? sum / n : null
  }
  const absolute = meanOver((p) => toLufs(p) > ABSOLUTE_GATE_LUFS)
  if (absolute === null) return null
  const relativeGate = toLufs(absolute) + RELATIVE_GATE_LU
  const gated = meanOver((p) => {
    const l = toLufs(p)
    return l > ABSOLUTE_GATE_LUFS && l > relativeGate
  })
  return gated === null ? null : toLufs(gated)
}
