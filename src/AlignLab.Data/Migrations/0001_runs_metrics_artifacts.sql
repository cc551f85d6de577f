-- Runs: the spec as given (resolved), lifecycle, progress. Status changes are also kept in run_events.
CREATE TABLE runs (
    id               uuid PRIMARY KEY,
    name             text        NOT NULL,
    method           text        NOT NULL,
    queue            text        NOT NULL,
    spec             jsonb       NOT NULL,
    status           text        NOT NULL CHECK (status IN ('Queued', 'Running', 'Succeeded', 'Failed', 'Cancelled')),
    step             bigint      NOT NULL DEFAULT 0,
    total_steps      bigint      NOT NULL DEFAULT 0,
    error            text,
    cancel_requested boolean     NOT NULL DEFAULT false,
    job_id           text,
    attempts         integer     NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_created_at_idx ON runs (created_at DESC);
CREATE INDEX runs_status_idx ON runs (status, created_at DESC);

CREATE TABLE run_events (
    id      bigserial PRIMARY KEY,
    run_id  uuid        NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    status  text        NOT NULL,
    message text,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX run_events_run_idx ON run_events (run_id, id);

-- One row per (run, metric, step): a retried job that reports a step again inserts nothing.
CREATE TABLE metrics (
    run_id uuid             NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name   text             NOT NULL,
    step   bigint           NOT NULL,
    value  double precision NOT NULL,
    time   timestamptz      NOT NULL,
    PRIMARY KEY (run_id, name, step)
);

CREATE TABLE artifacts (
    id         bigserial PRIMARY KEY,
    run_id     uuid        NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    kind       text        NOT NULL,
    path       text        NOT NULL,
    size_bytes bigint      NOT NULL,
    step       bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (run_id, path)
);
