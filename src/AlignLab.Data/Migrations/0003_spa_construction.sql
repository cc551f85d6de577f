-- Instance pools ((X, Y) without Ŷ and Ỹ) are datasets too: the input of SPA construction.
ALTER TABLE datasets DROP CONSTRAINT datasets_kind_check;
ALTER TABLE datasets ADD CONSTRAINT datasets_kind_check CHECK (kind IN ('spa', 'pool'));

-- One SPA construction (Algorithm 1) per run: how it revises and the dataset it produced.
CREATE TABLE spa_constructions (
    run_id     uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    revision   text NOT NULL CHECK (revision IN ('endpoint', 'annotators')),
    eta1       double precision NOT NULL,
    eta2       double precision NOT NULL,
    eta3       double precision NOT NULL,
    dataset_id uuid REFERENCES datasets (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Every instance's progress through rollout, scoring, filtering and revision, written as each stage finishes,
-- so a crashed or requeued job continues where it stopped and nothing already paid for is redone.
CREATE TABLE spa_construction_items (
    run_id         uuid    NOT NULL REFERENCES spa_constructions (run_id) ON DELETE CASCADE,
    index          integer NOT NULL,
    instruction    text    NOT NULL,
    input          text    NOT NULL,
    output         text    NOT NULL,
    status         text    NOT NULL CHECK (status IN ('pending', 'rolled_out', 'filtered_out', 'kept',
                                                       'awaiting_annotation', 'revised', 'failed', 'skipped')),
    rollout        text,
    rollout_reward double precision,
    output_reward  double precision,
    reason         text CHECK (reason IN ('A', 'B', 'C', 'D')),
    revised        text,
    attempts       integer NOT NULL DEFAULT 0,
    error          text,
    revised_by     text,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, index)
);
CREATE INDEX spa_construction_items_status_idx ON spa_construction_items (run_id, status, index);
