-- +goose Up
-- The app's own measurements, for the data-quality page (/quality): how long each request took
-- on the server, and whether an instance was up and ready, minute by minute. Every instance of
-- `mari serve` keeps the current minute in memory and writes it here once the minute is over,
-- so the figures cover every instance behind a load balancer.

-- Server time of requests: one row per instance, minute and route class, with how many requests
-- fell into each bucket of a fixed histogram. The bucket upper bounds, in milliseconds, are
-- those of selfmon.BoundsMS: 5, 10, 25, 50, 100, 250, 500, 1 000, 2 000, 5 000, 10 000, 30 000,
-- and a last bucket for anything slower. buckets[i] counts requests that took at most the i-th
-- bound and more than the one before. A new set of bounds needs a new table, not a reading of
-- these rows with other bounds.
CREATE TABLE selfmon_request_minutes (
    minute   timestamptz  NOT NULL,
    class    varchar(10)  NOT NULL CHECK (class IN ('page', 'api', 'ingest')),
    instance varchar(100) NOT NULL CHECK (length(instance) > 0),
    requests bigint       NOT NULL CHECK (requests > 0),
    buckets  bigint[]     NOT NULL CHECK (cardinality(buckets) = 13 AND array_ndims(buckets) = 1),
    PRIMARY KEY (minute, class, instance)
);

-- One row per instance and minute in which it was up and ready: PostgreSQL (which this row
-- proves) and ClickHouse both answered, as GET /readyz requires.
CREATE TABLE selfmon_heartbeats (
    minute   timestamptz  NOT NULL,
    instance varchar(100) NOT NULL CHECK (length(instance) > 0),
    PRIMARY KEY (minute, instance)
);

-- How long each row has waited for ClickHouse. An event's own time says when it happened, not
-- when it was queued: a late or held event is old the moment it arrives. COPY fills the column
-- from its default, the time of the batch's transaction, so the ingestion code is unchanged.
ALTER TABLE ch_outbox_transaction_events ADD COLUMN queued_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE ch_outbox_user_activity ADD COLUMN queued_at timestamptz NOT NULL DEFAULT now();

-- +goose Down
ALTER TABLE ch_outbox_user_activity DROP COLUMN queued_at;
ALTER TABLE ch_outbox_transaction_events DROP COLUMN queued_at;
DROP TABLE selfmon_heartbeats;
DROP TABLE selfmon_request_minutes;
