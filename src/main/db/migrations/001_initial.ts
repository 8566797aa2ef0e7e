import type { Migration } from './types'

/** The first schema: songs and their analysis, edits, pairs, verdicts, annotators, jobs, settings. */
export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE songs (
        id INTEGER PRIMARY KEY,
        content_hash TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        artist TEXT,
        album TEXT,
        original_name TEXT NOT NULL,
        audio_path TEXT NOT NULL,           -- relative to the data directory
        format TEXT NOT NULL,
        duration_s REAL NOT NULL,
        sample_rate INTEGER NOT NULL,
        channels INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued','analysing','ready','failed')),
        error TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );

      -- One row per analysed song. Beat arrays and the [beats x 125] feature matrix are stored as
      -- little-endian typed-array blobs so training reads a song with one query and no parsing.
      CREATE TABLE song_analysis (
        song_id INTEGER PRIMARY KEY REFERENCES songs(id) ON DELETE CASCADE,
        feature_version INTEGER NOT NULL,
        feature_dim INTEGER NOT NULL,
        tempo_bpm REAL NOT NULL,
        beats_per_bar INTEGER NOT NULL,
        beat_count INTEGER NOT NULL,
        beat_times BLOB NOT NULL,           -- Float64Array, seconds
        bar_position BLOB NOT NULL,         -- Int32Array
        bar_index BLOB NOT NULL,            -- Int32Array
        phrase_start BLOB NOT NULL,         -- Uint8Array
        confidence BLOB NOT NULL,           -- Float32Array
        features BLOB NOT NULL,             -- Float32Array, beat_count * feature_dim
        waveform BLOB NOT NULL,             -- Float32Array min/max pairs
        analysed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );

      CREATE TABLE edits (
        id INTEGER PRIMARY KEY,
        song_id INTEGER NOT NULL REFERENCES songs(id) ON DELETE CASCADE,
        actions BLOB NOT NULL,              -- Uint8Array, one action id per beat
        generator TEXT NOT NULL,            -- identity | rule | random | policy | manual
        policy_id INTEGER,
        policy_version INTEGER,
        seed INTEGER,
        target_duration_s REAL,
        output_duration_s REAL NOT NULL,
        segments TEXT NOT NULL,             -- JSON EditSegment[]
        content_hash TEXT NOT NULL,         -- hash of song content hash + actions
        render_path TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );
      CREATE INDEX edits_song ON edits(song_id);
      CREATE INDEX edits_hash ON edits(content_hash);

      CREATE TABLE pairs (
        id INTEGER PRIMARY KEY,
        song_id INTEGER NOT NULL REFERENCES songs(id) ON DELETE CASCADE,
        edit_a_id INTEGER NOT NULL REFERENCES edits(id),
        edit_b_id INTEGER NOT NULL REFERENCES edits(id),
        priority REAL NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','judged','skipped')),
        repeat_of_pair_id INTEGER REFERENCES pairs(id),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        CHECK (edit_a_id <> edit_b_id)
      );
      CREATE INDEX pairs_queue ON pairs(status, priority DESC, id);

      CREATE TABLE annotators (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );

      CREATE TABLE verdicts (
        id INTEGER PRIMARY KEY,
        pair_id INTEGER NOT NULL REFERENCES pairs(id),
        annotator_id INTEGER NOT NULL REFERENCES annotators(id),
        verdict TEXT NOT NULL CHECK (verdict IN ('a','b','tie','both_bad','skip')),
        strength INTEGER CHECK (strength IN (1,2)),
        shown_a_edit_id INTEGER NOT NULL REFERENCES edits(id),
        shown_b_edit_id INTEGER NOT NULL REFERENCES edits(id),
        chosen_edit_id INTEGER REFERENCES edits(id),
        rejected_edit_id INTEGER REFERENCES edits(id),
        listened_a_ms REAL NOT NULL,
        listened_b_ms REAL NOT NULL,
        switches INTEGER NOT NULL,
        decision_ms REAL NOT NULL,
        marks TEXT NOT NULL DEFAULT '[]',   -- JSON ProblemMark[]
        note TEXT,
        app_version TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        superseded_at TEXT                  -- set by undo; verdicts are never deleted
      );
      CREATE INDEX verdicts_pair ON verdicts(pair_id);
      CREATE INDEX verdicts_annotator ON verdicts(annotator_id, id);

      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        config TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL CHECK (state IN ('queued','running','done','failed','cancelled','interrupted')),
        progress REAL NOT NULL DEFAULT 0,
        eta_s REAL,
        message TEXT,
        metrics TEXT NOT NULL DEFAULT '{}',
        error TEXT,
        checkpoint TEXT,                    -- JSON, written by resumable job kinds
        result TEXT,                        -- JSON
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        started_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX jobs_state ON jobs(state);

      CREATE TABLE job_logs (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        line TEXT NOT NULL,
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL                 -- JSON
      );
    `)
  }
}
