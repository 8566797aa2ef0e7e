/** ML engine (issue 6): backend selection, models, training steps, ONNX in/out, benchmark. */
export {
  initComputeBackend,
  computeBackendInfo,
  resetComputeBackend,
  useTrainingBackend,
  availableTrainingBackends,
  BACKEND_PREFERENCES
} from './backend'
export type { BackendPreference } from './backend'
export { registerOrtCpuBackend, ORT_BACKEND, kernelStats, kernelSessionCount } from './onnx-kernels'
export {
  RewardModel,
  V8_REWARD_CONFIG,
  REWARD_BOUND,
  rewardParamSpecs,
  initRewardWeights,
  bradleyTerryLoss,
  rewardTrainStep,
  createRewardOptimizer,
  randomRewardInputs,
  disposeInputs
} from './reward-model'
export type { RewardModelConfig, RewardInputs, PairBatch, BtOptions, RewardStepResult } from './reward-model'
export { paramCount } from './params'
export type { ParamSpec } from './params'
export { Mlp, PolicyValueNets, actBatch, POLICY_SIZES, VALUE_SIZES, OBS_DIM } from './policy-nets'
export { ppoUpdate, createPpoOptimizer, randomPpoBatch, DEFAULT_PPO } from './ppo'
export type { PpoBatch, PpoConfig, PpoStats } from './ppo'
export { AdamW } from './optim'
export type { AdamWConfig, AdamWState } from './optim'
export { rewardOnnxBytes, mlpOnnxBytes, writeOnnx, REWARD_INPUTS, REWARD_OUTPUT } from './onnx-export'
export { OrtSession, scoreRewardBatch, tensor as ortTensor } from './onnx-runtime'
export type { RewardBatch, SessionIo } from './onnx-runtime'
export { readOnnx, checkRewardSignature, importRewardOnnx, extractRewardWeights } from './onnx-import'
export type { OnnxInfo, IoSignature, ImportedRewardModel, WarmStart } from './onnx-import'
export { benchEngine, BENCH_REFERENCE, BENCH_TARGETS } from '../../../../bench/engine'
export { Rng } from './rng'
