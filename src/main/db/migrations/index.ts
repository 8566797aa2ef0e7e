import type { Migration } from './types'
import { migration001 } from './001_initial'

/** Every migration, in order. Versions are consecutive from 1; a test checks it. */
export const MIGRATIONS: readonly Migration[] = [migration001]
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0
