/**
 * Numbered schema migrations: MIGRATIONS[i] takes the schema from version i to i + 1 (PRAGMA user_version).
 * Append only; never edit a migration that has shipped.
 */
export const RUN_STATUSES = ['queued', 'running', 'paused', 'completed', 'stopped', 'failed', 'diverged', 'interrupted'] as const

const statusList = RUN_STATUSES.map((s) => `'${s}'`).join(', ')

export const MIGRATIONS: readonly string[] = [
  // 1: the initial schema. Times are milliseconds since the Unix epoch; JSON columns hold text.
  `
  CREATE TABLE networks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    spec TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (name, version)
  );

  CREATE TABLE experiments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    experiment_id INTEGER REFERENCES experiments(id) ON DELETE SET NULL,
    parent_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN (${statusList})),
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    network TEXT NOT NULL,
    training TEXT NOT NULL,
    seed INTEGER NOT NULL,
    dataset TEXT NOT NULL,
    summary TEXT,
    best_epoch INTEGER,
    error TEXT,
    notes TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX runs_status ON runs (status);
  CREATE INDEX runs_experiment ON runs (experiment_id);
  CREATE INDEX runs_parent ON runs (parent_run_id);

  CREATE TABLE hyperparameters (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT,
    numeric REAL,
    PRIMARY KEY (run_id, key)
  ) WITHOUT ROWID;
  CREATE INDEX hyperparameters_key ON hyperparameters (key, numeric, value);

  -- One row per (run, metric, split, step): a resumed run that replays steps overwrites them.
  CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    split TEXT NOT NULL CHECK (split IN ('train', 'val')),
    step INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    value REAL,
    elapsed_ms REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, name, split, step)
  ) WITHOUT ROWID;

  CREATE TABLE checkpoints (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('latest', 'best')),
    epoch INTEGER NOT NULL,
    step INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, kind)
  );

  CREATE TABLE artifacts (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, kind)
  );
  `,
  // 2: per-block minima and maxima of each metric series (blocks of METRIC_BLOCK_SIZE steps, block = step >> 5),
  // kept by appendMetrics in the same transaction, so a long series decimates without scanning every row.
  // Only non-null values count; a block whose values are all null has no row. Ties keep the lowest step.
  `
  CREATE TABLE metric_blocks (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    split TEXT NOT NULL,
    block INTEGER NOT NULL,
    min_step INTEGER NOT NULL,
    min_value REAL NOT NULL,
    max_step INTEGER NOT NULL,
    max_value REAL NOT NULL,
    PRIMARY KEY (run_id, name, split, block)
  ) WITHOUT ROWID;

  INSERT INTO metric_blocks (run_id, name, split, block, min_step, min_value, max_step, max_value)
  SELECT run_id, name, split, block,
    MAX(CASE WHEN lo = 1 THEN step END), MAX(CASE WHEN lo = 1 THEN value END),
    MAX(CASE WHEN hi = 1 THEN step END), MAX(CASE WHEN hi = 1 THEN value END)
  FROM (
    SELECT run_id, name, split, step >> 5 AS block, step, value,
      ROW_NUMBER() OVER (PARTITION BY run_id, name, split, step >> 5 ORDER BY value ASC, step ASC) AS lo,
      ROW_NUMBER() OVER (PARTITION BY run_id, name, split, step >> 5 ORDER BY value DESC, step ASC) AS hi
    FROM metrics WHERE value IS NOT NULL
  )
  GROUP BY run_id, name, split, block;
  `,
  // 3: which process runs a run, so start-up recovery only touches runs whose process is gone
  // (another CLI or app may be training into the same database right now).
  `
  ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
  `,
  // 4: what an experiment is (a study's kind, variants and their runs), as JSON.
  `
  ALTER TABLE experiments ADD COLUMN definition TEXT;
  `,
  // 5: what a run recorded at each validated epoch end, to look inside its model afterwards
  // (src-engine/train/insight.ts): confusion counts (int32), top-k labels (uint16) and scores (float32) per
  // validation sample with its true label (uint16), parameter/gradient histograms (JSON), and the weights (state-dict bytes).
  `
  CREATE TABLE epoch_insights (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    classes INTEGER NOT NULL,
    score_kind TEXT NOT NULL CHECK (score_kind IN ('probability', 'output')),
    k INTEGER NOT NULL,
    confusion BLOB NOT NULL,
    labels BLOB NOT NULL,
    top_labels BLOB NOT NULL,
    top_scores BLOB NOT NULL,
    histograms TEXT NOT NULL,
    weights BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, epoch)
  );
  `,
  // 6: an epoch's weights apart from the rest of its insight, so long runs can thin them
  // (src-main/store/weight-snapshots.ts) and keep every epoch's confusion, predictions and histograms.
  `
  CREATE TABLE epoch_weights (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    weights BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, epoch)
  );
  INSERT INTO epoch_weights (run_id, epoch, weights, created_at) SELECT run_id, epoch, weights, created_at FROM epoch_insights;
  ALTER TABLE epoch_insights DROP COLUMN weights;
  `
]

/** Steps per metric_blocks row (a power of two: block = step >> METRIC_BLOCK_SHIFT). */
export const METRIC_BLOCK_SHIFT = 5
export const METRIC_BLOCK_SIZE = 1 << METRIC_BLOCK_SHIFT
