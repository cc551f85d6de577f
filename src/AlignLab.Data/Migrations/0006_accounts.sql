-- People (cookie login) and their API keys (scripts). Passwords are hashed by ASP.NET Core Identity's hasher;
-- keys are random 256-bit secrets stored as SHA-256 hashes, shown once.
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    name          text        NOT NULL UNIQUE,
    password_hash text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('admin', 'researcher', 'reviewer')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    prefix       text        NOT NULL,
    hash         bytea       NOT NULL UNIQUE,
    role         text        NOT NULL CHECK (role IN ('admin', 'researcher', 'reviewer')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC);

-- Who launched a run: the concurrent-runs limit counts a user's Queued and Running runs.
ALTER TABLE runs ADD COLUMN created_by uuid REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX runs_created_by_active_idx ON runs (created_by) WHERE status IN ('Queued', 'Running');
