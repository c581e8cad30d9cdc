-- +goose Up
-- Rollups computed by the rollup package from the source tables. Every row is a pure function
-- of the source data: re-running a day or month rewrites identical values. Ratios (success
-- rate, fraud rate, ...) are deliberately not stored: a month's rate must be computed from
-- the month's counts, never averaged from daily rates.

-- One row per calendar day in Africa/Johannesburg.
CREATE TABLE daily_metrics (
    date                      date PRIMARY KEY,
    total_transactions        bigint NOT NULL,  -- initiated that day (any status)
    successful_transactions   bigint NOT NULL,  -- status COMPLETED
    failed_transactions       bigint NOT NULL,  -- status FAILED
    pending_transactions      bigint NOT NULL,  -- still PENDING when computed
    fraud_transactions        bigint NOT NULL,  -- is_fraud
    total_volume              numeric(20,2) NOT NULL,  -- sum(amount) of COMPLETED
    transaction_revenue       numeric(20,2) NOT NULL,  -- fee per COMPLETED transaction
    active_users              integer NOT NULL, -- distinct senders that day
    mtd_active_users          integer NOT NULL, -- distinct senders from the 1st of the month through this day
    mtd_retained_users        integer NOT NULL, -- of those, also senders in the previous calendar month
    new_users                 integer NOT NULL, -- users.created_at on this day (not first transactions)
    total_users               bigint  NOT NULL, -- users created up to the end of this day
    churned_users             integer NOT NULL, -- senders on day-30 with no transaction since, through this day
    avg_transaction_amount    numeric(15,2),    -- of COMPLETED; NULL when none
    median_transaction_amount numeric(15,2),    -- of COMPLETED; NULL when none
    p50_processing_time_ms    integer,          -- of final (COMPLETED or FAILED); NULL when none
    p95_processing_time_ms    integer,
    day_complete              boolean NOT NULL  -- false while the day was still running when computed
);

-- One row per user per calendar month in which the user sent at least one transaction.
-- cohort_month is the SAST calendar month of users.created_at; months_since_signup counts whole
-- calendar months (signup month = 0), so a transaction belongs to exactly one month.
CREATE TABLE user_cohorts (
    user_id                uuid NOT NULL REFERENCES users(id),
    activity_month         date NOT NULL,
    cohort_month           date NOT NULL,
    months_since_signup    smallint NOT NULL CHECK (months_since_signup >= 0),
    transactions           integer NOT NULL,
    completed_transactions integer NOT NULL,
    completed_volume       numeric(20,2) NOT NULL,
    PRIMARY KEY (user_id, activity_month)
);
CREATE INDEX user_cohorts_activity_idx ON user_cohorts (activity_month);
CREATE INDEX user_cohorts_cohort_idx ON user_cohorts (cohort_month, months_since_signup);

-- One row per (cohort, month since signup) for every month that has begun; a month that has
-- not happened yet has no row (shown empty, never as zero).
CREATE TABLE cohort_retention (
    cohort_month        date NOT NULL,
    months_since_signup smallint NOT NULL,
    cohort_size         integer NOT NULL,
    active_users        integer NOT NULL,
    transactions        bigint NOT NULL,
    completed_volume    numeric(20,2) NOT NULL,
    PRIMARY KEY (cohort_month, months_since_signup)
);

-- Every rollup run: what, for which period, when, how many rows, and the error if it failed.
CREATE TABLE rollup_runs (
    id           bigserial PRIMARY KEY,
    job          varchar(40) NOT NULL,      -- 'daily_metrics', 'cohorts'
    mode         varchar(20) NOT NULL CHECK (mode IN ('final', 'partial', 'backfill')),
    period_start date NOT NULL,
    period_end   date NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    rows_written bigint,
    error        text
);
CREATE INDEX rollup_runs_job_idx ON rollup_runs (job, period_start, started_at DESC);

-- +goose Down
DROP TABLE rollup_runs;
DROP TABLE cohort_retention;
DROP TABLE user_cohorts;
DROP TABLE daily_metrics;
