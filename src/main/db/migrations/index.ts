import type { Migration } from './types'
import { migration001 } from './001_initial'
import { migration002 } from './002_verdicts_per_annotator'
import { migration003 } from './003_reward_models'
import { migration004 } from './004_policies'
import { migration005 } from './005_verdict_tags'
import { migration006 } from './006_iterations'

/** Every migration, in order. Versions are consecutive from 1; a test checks it. */
export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006
]
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0
