/**
 * Fused building blocks (linear(+GELU), layer norm, GELU, masked softmax, self-attention, tanh soft
 * clamp) with hand-written gradients, one file per operation over one graph helper (graph.ts). On
 * 'cpu-ort' each direction is one cached onnxruntime graph; on plain 'cpu' a single-pass JS loop
 * (tfjs's composite versions take 5-10 passes and allocations each); on native backends
 * (tensorflow, tensorflow-gpu) they are composed from tfjs ops.
 */
export { linear } from './linear'
export { layerNorm } from './layer-norm'
export { gelu, erf } from './gelu'
export { maskedSoftmax } from './masked-softmax'
export { selfAttention } from './attention'
export { softClamp } from './soft-clamp'
