import * as tf from '../tf'

/** bound * tanh(x / bound): a soft clamp into [-bound, bound] that keeps gradients alive. */
export function softClamp(x: tf.Tensor, bound: number): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.tanh(tf.div(x, bound)), bound))
}
