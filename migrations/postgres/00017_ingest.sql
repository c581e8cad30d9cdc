-- +goose Up
-- Ingestion: events arriving over HTTP or from Kafka land exactly once.
--
-- PostgreSQL decides what is new. Every event applied is written to ingest_ledger under its
-- event_id, in the same transaction as its effects (users, transactions) and as the copy of
-- it waiting for ClickHouse (the outbox tables); a redelivered event finds its id there and
-- changes nothing. The shipper moves outbox rows to ClickHouse and deletes them; each carries
-- its outbox sequence number into ClickHouse, so a shipper unsure whether an insert landed
-- asks ClickHouse before sending again (the materialized views there count a row the moment
-- it is inserted, so a duplicate must never be inserted at all).

CREATE TABLE ingest_ledger (
    event_id    uuid PRIMARY KEY,
    topic       varchar(20) NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
-- The ledger is append-only in received order; a BRIN index serves the pruning of old ids.
CREATE INDEX ingest_ledger_received_brin ON ingest_ledger USING brin (received_at);

-- Events whose user or transaction has not arrived yet (Kafka orders a payment's events, but
-- not a sign-up against that user's first payment on another topic). Each is tried again as
-- later batches commit and dead-lettered when it has waited too long.
CREATE TABLE ingest_held (
    event_id    uuid PRIMARY KEY,
    topic       varchar(20) NOT NULL,
    payload     text        NOT NULL,  -- the event in the contract's JSON
    waiting_for text        NOT NULL,  -- what is missing, for people
    source      varchar(200) NOT NULL,
    held_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ingest_held_held_at_idx ON ingest_held (held_at);

-- Events that cannot be applied, with the reason. The same bad line delivered again is one
-- row (fingerprint: topic and line), counted in times_seen.
CREATE TABLE ingest_dead_letters (
    id          bigserial PRIMARY KEY,
    fingerprint bytea        NOT NULL UNIQUE,
    topic       varchar(40)  NOT NULL,
    source      varchar(200) NOT NULL,  -- "http token NAME line N" or "kafka TOPIC/PARTITION@OFFSET"
    event_id    uuid,                    -- when the line had a readable one
    reason      text         NOT NULL,
    payload     text         NOT NULL,  -- the line as received, cut at 4 KiB, NUL bytes shown as \0
    received_at timestamptz  NOT NULL DEFAULT now(),
    last_seen   timestamptz  NOT NULL DEFAULT now(),
    times_seen  integer      NOT NULL DEFAULT 1
);
CREATE INDEX ingest_dead_letters_received_idx ON ingest_dead_letters (received_at DESC);

-- Rows waiting for ClickHouse, shaped as its tables.
CREATE TABLE ch_outbox_transaction_events (
    seq                bigserial PRIMARY KEY,
    event_id           uuid          NOT NULL,
    transaction_id     uuid          NOT NULL,
    user_id            uuid          NOT NULL,
    event_type         varchar(30)   NOT NULL,
    at                 timestamptz   NOT NULL,
    amount             numeric(15,2) NOT NULL,
    currency           char(3)       NOT NULL,
    bank_id            varchar(20)   NOT NULL,
    device_type        varchar(50)   NOT NULL,
    channel            varchar(20)   NOT NULL,
    processing_time_ms integer       NOT NULL,
    sentinel_score     real          NOT NULL,
    failure_reason     varchar(50)   NOT NULL,
    error_code         varchar(50)   NOT NULL
);

CREATE TABLE ch_outbox_user_activity (
    seq           bigserial PRIMARY KEY,
    event_id      uuid        NOT NULL,
    user_id       uuid        NOT NULL,
    activity_type varchar(30) NOT NULL,
    at            timestamptz NOT NULL,
    device_type   varchar(50) NOT NULL,
    app_version   varchar(20) NOT NULL,
    location_hash varchar(64) NOT NULL
);

-- Bearer tokens of the HTTP ingestion endpoint. A token is 32 random bytes, so its SHA-256 is
-- all that needs keeping (no password hashing: there is nothing to guess).
CREATE TABLE ingest_tokens (
    id              bigserial PRIMARY KEY,
    name            varchar(100) NOT NULL CHECK (length(name) > 0),
    token_hash      bytea        NOT NULL UNIQUE,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    created_by      varchar(254) NOT NULL DEFAULT '',
    revoked_at      timestamptz,
    last_used_at    timestamptz,
    events_accepted bigint       NOT NULL DEFAULT 0
);
-- A name is unique among live tokens; a revoked token's name can be given to its successor.
CREATE UNIQUE INDEX ingest_tokens_live_name ON ingest_tokens (name) WHERE revoked_at IS NULL;

-- A status change applies only when it is newer than the last one applied, so a late event
-- never undoes a later change.
ALTER TABLE users ADD COLUMN status_changed_at timestamptz;

-- +goose Down
ALTER TABLE users DROP COLUMN status_changed_at;
DROP TABLE ingest_tokens;
DROP TABLE ch_outbox_user_activity;
DROP TABLE ch_outbox_transaction_events;
DROP TABLE ingest_dead_letters;
DROP TABLE ingest_held;
DROP TABLE ingest_ledger;
