/**
 * The one module that owns tfjs backend selection:
 *   @tensorflow/tfjs-node-gpu (CUDA) -> @tensorflow/tfjs-node (native CPU) ->
 *   'cpu-ort' (tfjs cpu + onnxruntime-node matrix products, onnx-kernels.ts) -> plain tfjs 'cpu'.
 * Overridable with opts.prefer or EDITORBOT_BACKEND (auto | tensorflow-gpu | tensorflow | cpu |
 * cpu-plain). Each faster backend that was skipped is logged once with the reason.
 */
import * as tf from './tf'
import type { ComputeBackendInfo } from '../../../shared/domain'
import { ORT_BACKEND, registerOrtCpuBackend } from './onnx-kernels'
import { defaultThreads, ortVersion } from './onnx-runtime'

export type BackendPreference = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'cpu' | 'cpu-plain'
export const BACKEND_PREFERENCES: readonly BackendPreference[] = [
  'auto',
  'tensorflow-gpu',
  'tensorflow',
  'cpu',
  'cpu-plain'
]

/** Training backend names reported in ComputeBackendInfo.training. */
export const TRAINING_BACKEND_NAMES: Record<string, string> = {
  tensorflow: 'tensorflow',
  [ORT_BACKEND]: 'cpu+onnxruntime',
  cpu: 'cpu'
}

let info: ComputeBackendInfo | null = null
let initPromise: Promise<ComputeBackendInfo> | null = null
const logged = new Set<string>()

function errText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e)
  return m.split('\n')[0]!.slice(0, 300)
}

/** Dynamic import of an optional package that may be absent (it is not a typed dependency). */
async function importOptional(spec: string): Promise<unknown> {
  return (await import(/* @vite-ignore */ spec)) as unknown
}

async function tryTfjsNode(
  pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node',
  gpu: boolean
): Promise<string | null> {
  try {
    await importOptional(pkg)
  } catch (e) {
    // The usual case: npm dropped the optional package because its native library could not be downloaded.
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND')
      return `${pkg} is not installed (its native TensorFlow library could not be downloaded at npm install)`
    return `${pkg} did not load: ${errText(e)}`
  }
  try {
    const ok = await tf.setBackend('tensorflow')
    if (!ok) return `${pkg} loaded but the 'tensorflow' backend failed to initialise`
    await tf.ready()
    if (gpu) {
      // The package loads its CUDA build of libtensorflow; with every GPU hidden it would run on CPU.
      const cuda = process.env.CUDA_VISIBLE_DEVICES
      if (cuda === '' || cuda === '-1') return `${pkg} loaded but CUDA_VISIBLE_DEVICES hides every GPU`
    }
    return null
  } catch (e) {
    return `${pkg} loaded but the 'tensorflow' backend failed: ${errText(e)}`
  }
}

/** True only when a tfjs-node backend's binding says it placed work on a GPU device. */
export function reportsGpuDevice(backend: unknown): boolean {
  const binding = (backend as { binding?: { isUsingGpuDevice?: unknown } } | null)?.binding
  if (typeof binding?.isUsingGpuDevice !== 'function') return false
  try {
    return (binding.isUsingGpuDevice as () => unknown).call(binding) === true
  } catch {
    return false
  }
}

function preferenceFromEnv(p: string | undefined): BackendPreference | null {
  if (p === undefined || p === '') return null
  return (BACKEND_PREFERENCES as readonly string[]).includes(p) ? (p as BackendPreference) : null
}

/**
 * Pick and activate the fastest tfjs backend that loads. Idempotent: later calls return the
 * first result (call resetComputeBackend() first to choose again, e.g. in benchmarks).
 */
export async function initComputeBackend(
  opts: { prefer?: BackendPreference; log?: (l: string) => void } = {}
): Promise<ComputeBackendInfo> {
  if (info !== null) return info
  initPromise ??= selectBackend(opts)
  return initPromise
}

async function selectBackend(opts: {
  prefer?: BackendPreference
  log?: (l: string) => void
}): Promise<ComputeBackendInfo> {
  const log = opts.log ?? ((l: string) => console.log(l))
  const notes: string[] = []
  const note = (line: string): void => {
    notes.push(line)
    if (!logged.has(line)) {
      logged.add(line)
      log(`[ml backend] ${line}`)
    }
  }
  const envRaw = process.env.EDITORBOT_BACKEND
  const envPref = preferenceFromEnv(envRaw)
  if (envRaw !== undefined && envRaw !== '' && envPref === null) {
    note(`EDITORBOT_BACKEND='${envRaw}' is not one of ${BACKEND_PREFERENCES.join(', ')}; using auto`)
  }
  const prefer: BackendPreference = envPref ?? opts.prefer ?? 'auto'
  if (envPref !== null) note(`EDITORBOT_BACKEND=${envPref}`)
  const order: BackendPreference[] =
    prefer === 'auto' || prefer === 'tensorflow-gpu'
      ? ['tensorflow-gpu', 'tensorflow', 'cpu', 'cpu-plain']
      : prefer === 'tensorflow'
        ? ['tensorflow', 'cpu', 'cpu-plain']
        : prefer === 'cpu'
          ? ['cpu', 'cpu-plain']
          : ['cpu-plain']
  let training = ''
  for (const cand of order) {
    if (cand === 'tensorflow-gpu') {
      const why = await tryTfjsNode('@tensorflow/tfjs-node-gpu', true)
      if (why === null) {
        // The CUDA build runs on its CPU kernels when TensorFlow finds no GPU: say GPU only when it found one.
        if (reportsGpuDevice(tf.backend())) training = 'tensorflow-gpu'
        else {
          note('tensorflow-gpu loaded but TensorFlow found no GPU device: training runs on its CPU kernels')
          training = 'tensorflow'
        }
        break
      }
      note(`tensorflow-gpu skipped: ${why}`)
    } else if (cand === 'tensorflow') {
      const why = await tryTfjsNode('@tensorflow/tfjs-node', false)
      if (why === null) {
        training = 'tensorflow'
        break
      }
      note(`tensorflow skipped: ${why}`)
    } else if (cand === 'cpu') {
      try {
        registerOrtCpuBackend()
        if (await tf.setBackend(ORT_BACKEND)) {
          training = 'cpu+onnxruntime'
          break
        }
        note('cpu+onnxruntime skipped: tfjs could not activate the backend')
      } catch (e) {
        note(`cpu+onnxruntime skipped: onnxruntime-node did not load: ${errText(e)}`)
      }
    } else {
      await tf.setBackend('cpu')
      training = 'cpu'
      break
    }
  }
  await tf.ready()
  let inference: string
  try {
    inference = `onnxruntime-node ${ortVersion()} (cpu, ${defaultThreads()} threads)`
  } catch (e) {
    inference = 'unavailable'
    note(`onnxruntime-node did not load: ${errText(e)}`)
  }
  info = { training, inference, notes }
  log(`[ml backend] training: ${training}; inference: ${inference}`)
  return info
}

/** The backend chosen by initComputeBackend (before it ran: tfjs's current backend, unselected). */
export function computeBackendInfo(): ComputeBackendInfo {
  if (info !== null) return info
  const name = tf.getBackend()
  return {
    training: TRAINING_BACKEND_NAMES[name] ?? name ?? 'none',
    inference: 'onnxruntime-node (not loaded yet)',
    notes: ['initComputeBackend() has not run yet']
  }
}

/** Forget the choice so the next initComputeBackend() selects again (tests, benchmarks). */
export function resetComputeBackend(): void {
  info = null
  initPromise = null
}

/** Switch the active tfjs backend by training-backend name; false when it is not available. */
export async function useTrainingBackend(name: string): Promise<boolean> {
  const tfName = name === 'cpu+onnxruntime' ? ORT_BACKEND : name === 'tensorflow-gpu' ? 'tensorflow' : name
  if (tfName === ORT_BACKEND) registerOrtCpuBackend()
  try {
    return await tf.setBackend(tfName)
  } catch {
    return false
  }
}

/** Backends usable in this process, fastest first (training names). */
export function availableTrainingBackends(): string[] {
  const out: string[] = []
  const reg = tf.engine().registryFactory
  if ('tensorflow' in reg) out.push(info?.training === 'tensorflow-gpu' ? 'tensorflow-gpu' : 'tensorflow')
  try {
    registerOrtCpuBackend()
    out.push('cpu+onnxruntime')
  } catch {
    // onnxruntime-node missing: plain cpu only
  }
  out.push('cpu')
  return out
}
