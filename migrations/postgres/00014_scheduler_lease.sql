-- +goose Up
-- Leases that let one of several `mari serve` processes on the same database do a piece of
-- shared background work (the rollup scheduler) while the others stand by. A holder claims or
-- renews its lease in one statement against the database clock, so the processes' own clocks
-- never have to agree; a holder that stops renewing loses the lease at expires_at and another
-- takes over. The row also shows who leads and since when.
CREATE TABLE scheduler_leases (
    name        text PRIMARY KEY,          -- the work the lease guards, such as 'rollup'
    holder      text NOT NULL,             -- the process holding it: host, pid and a random part
    acquired_at timestamptz NOT NULL,      -- when this holder took it over
    renewed_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    CHECK (expires_at > renewed_at)
);

-- +goose Down
DROP TABLE scheduler_leases;
