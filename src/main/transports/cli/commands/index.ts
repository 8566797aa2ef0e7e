import type { Command } from '../framework'
import { serveCommand } from './serve'
import { statusCommand } from './status'
import { importCommand, songsCommand, beatsCommand, featuresCommand } from './library'
import { generateCommand, editCommand, renderCommand, pairsCommand } from './edits'
import { judgeCommand } from './listen'
import { exportCommand, restoreCommand } from './export'
import { benchCommand } from './bench'
import { importRewardModelCommand, scoreCommand, rewardModelsCommand, trainRewardCommand } from './reward'
import { importPolicyCommand, policiesCommand, trainPolicyCommand } from './policy'
import { iterateCommand, iterationsCommand } from './iterate'

export const COMMANDS: readonly Command[] = [
  serveCommand,
  statusCommand,
  importCommand,
  songsCommand,
  beatsCommand,
  featuresCommand,
  generateCommand,
  editCommand,
  renderCommand,
  pairsCommand,
  judgeCommand,
  importRewardModelCommand,
  scoreCommand,
  rewardModelsCommand,
  trainRewardCommand,
  importPolicyCommand,
  policiesCommand,
  trainPolicyCommand,
  iterateCommand,
  iterationsCommand,
  exportCommand,
  restoreCommand,
  benchCommand
]
