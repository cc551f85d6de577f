-- Datasets: a named set of examples of one kind (spa: FIGA's SubPar Alignment pairs), with its statistics.
CREATE TABLE datasets (
    id            uuid PRIMARY KEY,
    name          text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('spa')),
    example_count integer     NOT NULL,
    stats         jsonb       NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX datasets_created_at_idx ON datasets (created_at DESC);

CREATE TABLE dataset_examples (
    dataset_id uuid    NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    index      integer NOT NULL,
    data       jsonb   NOT NULL,
    PRIMARY KEY (dataset_id, index)
);
