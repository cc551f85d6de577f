-- The devices of each live job server and the queues it takes runs from, with each device's memory. A server writes its
-- rows when it starts and again every half minute, and removes them when it stops; rows not refreshed for two minutes are
-- a server that died. Submission refuses a run whose memory estimate no live device of its queue can hold.
CREATE TABLE worker_devices (
    server text NOT NULL,
    device text NOT NULL CHECK (device = 'cpu' OR device ~ '^cuda:[0-9]+$'),
    memory_bytes bigint NOT NULL CHECK (memory_bytes > 0),
    queues text[] NOT NULL,
    seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (server, device)
);
