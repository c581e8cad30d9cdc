-- +goose Up
-- What the refreshes of today (every second or so while events arrive) keep between them, so
-- that each reads only the senders new since the last one instead of probing the history for
-- every sender of the day again. A sender's answers depend only on the days before today, which
-- do not change while today runs; a run that is not a live refresh (the day's final run, a
-- backfill after late data) computes from the source tables and drops them. UNLOGGED: they are
-- caches, rebuilt by the next refresh, and a crash empties all four together.

-- Today's senders: whether each sent earlier in the month and, asked only of those who did
-- not (false for the others), whether they sent in the month before.
CREATE UNLOGGED TABLE live_day_senders (
    day                date    NOT NULL,
    sender_id          uuid    NOT NULL,
    earlier_this_month boolean NOT NULL,
    previous_month     boolean NOT NULL,
    PRIMARY KEY (day, sender_id)
);

-- The senders of the day 30 days back who have not sent since, up to today's start: the day's
-- churned users are those of them who do not send today either.
CREATE UNLOGGED TABLE live_day_churn_candidates (
    day       date NOT NULL,
    sender_id uuid NOT NULL,
    PRIMARY KEY (day, sender_id)
);

-- The days whose churn candidates are stored (a day may have none).
CREATE UNLOGGED TABLE live_days (
    day      date PRIMARY KEY,
    built_at timestamptz NOT NULL
);

-- Today's senders per bank, with the previous day each used that bank (NULL: never before).
CREATE UNLOGGED TABLE live_day_bank_senders (
    day       date        NOT NULL,
    bank_id   varchar(20) NOT NULL REFERENCES bank_partnerships (bank_code) ON UPDATE CASCADE ON DELETE CASCADE,
    sender_id uuid        NOT NULL,
    prev_day  date,
    PRIMARY KEY (day, bank_id, sender_id)
);

-- +goose Down
DROP TABLE live_day_bank_senders;
DROP TABLE live_days;
DROP TABLE live_day_churn_candidates;
DROP TABLE live_day_senders;
