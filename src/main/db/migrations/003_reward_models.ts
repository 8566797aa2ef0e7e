import type { Migration } from './types'

/**
 * The reward-model registry: one row per version (imported or trained), its lineage, the exact
 * verdicts it was trained on, its held-out split, metrics, normalisation stats and ONNX file(s).
 * Annotators gain a `simulated` flag so built-in annotators stay out of real-annotator statistics.
 */
export const migration003: Migration = {
  version: 3,
  name: 'reward_models',
  up(db) {
    db.exec(`
      CREATE TABLE reward_models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL CHECK (source IN ('imported','trained')),
        parent_id INTEGER REFERENCES reward_models(id),
        onnx_path TEXT NOT NULL,            -- relative to the data directory
        member_paths TEXT NOT NULL DEFAULT '[]', -- JSON string[]: every ensemble member (onnx_path first)
        architecture TEXT,                  -- JSON RewardModelConfig when the weights follow the app's transformer
        param_count INTEGER,
        warm_start_note TEXT,               -- why an imported file cannot warm-start training
        config TEXT NOT NULL DEFAULT '{}',  -- JSON training config
        seed INTEGER,
        verdict_ids TEXT NOT NULL DEFAULT '[]', -- JSON number[]: the verdicts trained on
        verdicts_hash TEXT,
        validation TEXT NOT NULL DEFAULT '{}', -- JSON {songIds, verdictIds}: the held-out split, fixed per version
        metrics TEXT NOT NULL DEFAULT '{}', -- JSON held-out metrics of this version
        parent_metrics TEXT,                -- JSON: the parent's metrics on this version's held-out pairs
        norm_mean REAL NOT NULL DEFAULT 0,
        norm_std REAL NOT NULL DEFAULT 1,
        norm_count INTEGER NOT NULL DEFAULT 0, -- edits in the reference set behind the stats
        job_id INTEGER REFERENCES jobs(id),
        active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0,1)),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );
      CREATE UNIQUE INDEX reward_models_one_active ON reward_models(active) WHERE active = 1;

      ALTER TABLE annotators ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0 CHECK (simulated IN (0,1));
    `)
  }
}
