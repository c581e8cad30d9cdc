-- +goose Up
-- Per-bank daily rollups for the bank-partnership pages, written by the rollup package's
-- "bank_daily" day job (rollup/banks.go). Every row is a pure function of the transactions of
-- its SAST day (plus, for prev_day, the sender's earlier transactions), so a re-run rewrites
-- identical rows. The pages read only these tables: at demo scale 10 (3.55M transactions) the
-- raw per-range scans took seconds.

-- Transactions per (day, bank, status, failure reason): the overview's counts and volume, the
-- monthly trend and the status breakdown are sums of these.
CREATE TABLE bank_daily_status (
    day            date NOT NULL,
    bank_id        varchar(20) NOT NULL,
    status         varchar(20) NOT NULL,
    failure_reason varchar(50),               -- NULL unless failed, as in transactions
    transactions   bigint NOT NULL,
    amount         numeric(20,2) NOT NULL,    -- sum(amount), whatever the status
    UNIQUE NULLS NOT DISTINCT (day, bank_id, status, failure_reason)
);

-- Distinct senders through a bank over any range, exactly. For every (bank, sender) and every
-- SAST day d the sender used the bank, prev_day is the previous day they used it (NULL for
-- their first); senders counts them per (day, bank, prev_day). A sender active in [from, to]
-- is counted exactly once, on their first active day inside it, which is the one day in the
-- range whose prev_day is NULL or before from:
--   users(bank, from, to) = Σ senders WHERE day BETWEEN from AND to AND (prev_day IS NULL OR prev_day < from)
-- About 92k rows at scale 10 for 19 months (most senders come back within weeks).
CREATE TABLE bank_daily_senders (
    day      date NOT NULL,
    bank_id  varchar(20) NOT NULL,
    prev_day date,
    senders  integer NOT NULL,
    UNIQUE NULLS NOT DISTINCT (day, bank_id, prev_day) INCLUDE (senders)
);

-- Processing times of final transactions (completed or failed, with a time), for an exact
-- nearest-rank p95 over any range: a coarse histogram (100 ms buckets) finds the bucket holding
-- the rank, then the exact histogram of that bucket alone finds the value.
CREATE TABLE bank_daily_latency_buckets (
    day          date NOT NULL,
    bank_id      varchar(20) NOT NULL,
    bucket       integer NOT NULL,            -- processing_time_ms / 100
    transactions bigint NOT NULL,
    PRIMARY KEY (day, bank_id, bucket)
);
-- One bank's buckets over a range, index-only (the primary key serves the per-day rewrite).
CREATE INDEX bank_daily_latency_buckets_bank_idx ON bank_daily_latency_buckets (bank_id, day) INCLUDE (bucket, transactions);
CREATE TABLE bank_daily_latency (
    day                date NOT NULL,
    bank_id            varchar(20) NOT NULL,
    processing_time_ms integer NOT NULL,
    transactions       bigint NOT NULL,
    PRIMARY KEY (day, bank_id, processing_time_ms)
);
-- One bucket of one bank over a range, without reading the other buckets.
CREATE INDEX bank_daily_latency_ms_idx ON bank_daily_latency (bank_id, processing_time_ms, day) INCLUDE (transactions);

-- Completed transactions per (day, bank, recipient), the exact source of the top recipients.
-- Summing them for every recipient of a big bank over months is slow (2.6M rows at scale 10),
-- so each month also keeps its top 100 recipients per bank and a bound: others_max, the most
-- completed transactions any recipient outside that list had in the month (0 when every
-- recipient is listed). A recipient outside every touched month's list has at most the sum of
-- those bounds over the range, so only the listed recipients need exact sums, and when the
-- 20th best of those beats the bound the top 20 are proven (queries.BankTopRecipients).
CREATE TABLE bank_daily_recipients (
    day          date NOT NULL,
    bank_id      varchar(20) NOT NULL,
    recipient_id uuid NOT NULL,
    completed    integer NOT NULL,
    volume       numeric(20,2) NOT NULL,
    PRIMARY KEY (day, bank_id, recipient_id)
);
CREATE INDEX bank_daily_recipients_recipient_idx ON bank_daily_recipients (bank_id, recipient_id, day) INCLUDE (completed, volume);
CREATE TABLE bank_monthly_top_recipients (
    month        date NOT NULL,               -- first day of the SAST month
    bank_id      varchar(20) NOT NULL,
    recipient_id uuid NOT NULL,
    completed    integer NOT NULL,
    PRIMARY KEY (month, bank_id, recipient_id)
);
CREATE TABLE bank_monthly_recipient_bound (
    month      date NOT NULL,
    bank_id    varchar(20) NOT NULL,
    others_max integer NOT NULL,
    PRIMARY KEY (month, bank_id)
);

-- prev_day is found with one index descent per (bank, sender) active on the day. No page reads
-- transactions by bank and range any more, so the covering index of 00008 goes.
CREATE INDEX transactions_bank_sender_idx ON transactions (bank_id, sender_id, created_at);
DROP INDEX transactions_bank_cover_idx;

-- +goose Down
CREATE INDEX transactions_bank_cover_idx ON transactions (bank_id, created_at) INCLUDE (sender_id, status, amount);
DROP INDEX transactions_bank_sender_idx;
DROP TABLE bank_monthly_recipient_bound;
DROP TABLE bank_monthly_top_recipients;
DROP TABLE bank_daily_recipients;
DROP TABLE bank_daily_latency;
DROP TABLE bank_daily_latency_buckets;
DROP TABLE bank_daily_senders;
DROP TABLE bank_daily_status;
