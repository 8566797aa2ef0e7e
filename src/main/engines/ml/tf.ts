/**
 * The one module that imports TensorFlow.js; everything else (engine, bench, tests) imports `./tf`
 * (eslint.zones.mjs enforces it). The API is tfjs-core's plus the CPU backend class.
 *
 * Why the umbrella package is still imported here: tfjs-core registers no gradients by itself, and under
 * Node only @tensorflow/tfjs's CommonJS build registers them. tfjs-core has no exports map; its CommonJS
 * build (dist/tf-core.node.js, the package's main) leaves the gradient configs out, and they ship only as
 * extension-less ES modules (dist/register_all_gradients.js, dist/gradients/*) that Node cannot load:
 * ERR_MODULE_NOT_FOUND on './gradients/Abs_grad' natively (the explicit .js on the entry does not help,
 * its own imports have none), ERR_UNSUPPORTED_DIR_IMPORT under tsx (dist/gradients is both a file and a
 * folder), and loading them at all would bring a second copy of tfjs-core's ops. @tensorflow/tfjs-node
 * requires the umbrella too, so on the native backends it loads either way.
 */
import '@tensorflow/tfjs'

export * from '@tensorflow/tfjs-core'
export { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
