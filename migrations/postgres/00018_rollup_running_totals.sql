-- +goose Up
-- Rollups whose cost no longer grows with the history behind the day they compute.

-- daily_metrics carries its running totals (total_users, the month-to-date senders) from an
-- earlier day's row instead of recounting the whole history every day. A row may only be
-- carried from once its figures can no longer change: computed_at says when they were
-- computed, and the rollup carries from a row computed after its day's late-data cut-off.
-- Rows that exist now have none, so the first run after this migration recounts.
ALTER TABLE daily_metrics ADD COLUMN computed_at timestamptz;

-- Completed transactions per (month, bank, recipient): the sum of the month's
-- bank_daily_recipients rows, kept equal to it by the bank_daily job as it rewrites a day (it
-- adds the difference between the day's new rows and its old ones), so that the month's top-recipient list
-- is read from an index instead of re-summing every day of the month on every run. The rank
-- index gives a bank's best recipients of a month in list order.
CREATE TABLE bank_monthly_recipients (
    month        date NOT NULL,               -- first day of the SAST month
    bank_id      varchar(20) NOT NULL,
    recipient_id uuid NOT NULL,
    completed    integer NOT NULL,            -- 0 once every payment of the month was undone
    PRIMARY KEY (month, bank_id, recipient_id)
);
CREATE INDEX bank_monthly_recipients_rank_idx ON bank_monthly_recipients (month, bank_id, completed DESC, recipient_id);
INSERT INTO bank_monthly_recipients (month, bank_id, recipient_id, completed)
SELECT date_trunc('month', day::timestamp)::date, bank_id, recipient_id, sum(completed)
FROM bank_daily_recipients
GROUP BY 1, 2, 3;

-- +goose Down
DROP TABLE bank_monthly_recipients;
ALTER TABLE daily_metrics DROP COLUMN computed_at;
