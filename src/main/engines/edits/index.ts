/** The pure edit engine: action rules, edit decision lists, rendering, WAV, generators (docs/actions.md). */
export type {
  SongStructure,
  AudioBuffers,
  EditDecisionList,
  WavFormat,
  GeneratorName,
  GenerateOptions,
  EdlOptions,
  RenderOptions
} from './types'
export { DEFAULT_SPLICE_FADE_MS, JUMP_MAX_BEATS } from './types'
export { validateActions, actionMask, ActionWalker } from './rules'
export { buildEditDecisionList } from './edl'
export { renderEdit } from './render'
export { encodeWav } from '../audio-io/wav-encode'
export { generateActions, retargetToDuration, RULE_DEFAULT_FRACTION } from './generate'
export { spliceClickMetric, type SpliceClick, type SpliceClickReport } from './metrics'
export { benchRender, type BenchRenderOptions } from '../../../../bench/render'
export { synthesizeSong, type SyntheticSongOptions } from './synthetic'
export { jumpTargetOf } from './prepared-song'
export { outputToSource, sourceToOutput, sourceToOutputAll, outputDurationOf } from '../../../shared/timemap'
