import type { Migration } from './types'

/**
 * Quick reason tags on verdicts (the A/B screen's tag keys): a JSON array of labels, [] for every
 * verdict given before tags existed.
 */
export const migration005: Migration = {
  version: 5,
  name: 'verdict_tags',
  up(db) {
    db.exec(`ALTER TABLE verdicts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'`)
  }
}
