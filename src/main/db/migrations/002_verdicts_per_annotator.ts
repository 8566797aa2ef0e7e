import type { Migration } from './types'

/** Reserved: filled in by the change that needs it. */
export const migration002: Migration = {
  version: 2,
  name: 'verdicts_per_annotator',
  up() {}
}
