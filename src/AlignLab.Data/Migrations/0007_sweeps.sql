-- A sweep: one run per point of a grid over some parameters of one method's spec, launched together.
CREATE TABLE sweeps (
    id         uuid PRIMARY KEY,
    name       text        NOT NULL,
    method     text        NOT NULL,
    grid       jsonb       NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sweeps_created_at_idx ON sweeps (created_at DESC);

-- sweep_index: the run's point in the grid's order (the last axis varying fastest).
ALTER TABLE runs ADD COLUMN sweep_id uuid REFERENCES sweeps (id) ON DELETE SET NULL, ADD COLUMN sweep_index integer;
CREATE INDEX runs_sweep_idx ON runs (sweep_id, sweep_index) WHERE sweep_id IS NOT NULL;
