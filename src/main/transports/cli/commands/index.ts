import type { Command } from '../framework'
import { serveCommand } from './serve'
import { statusCommand } from './status'
import { importCommand, songsCommand, beatsCommand, featuresCommand } from './library'
import { generateCommand, editCommand, renderCommand, pairsCommand } from './edits'
import { judgeCommand, exportCommand } from './listen'
import { benchCommand } from './bench'

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
  exportCommand,
  benchCommand
]
