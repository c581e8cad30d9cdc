-- +goose Up
-- Past SAST days whose rollups an ingested event has changed: a payment or a sign-up of a day
-- before today that arrived late (a held event released, a producer catching up). The rollup
-- scheduler recomputes from the earliest of them to today (the running totals of the days
-- after it depend on it) and forgets the days it covered. Today is not listed: it is
-- refreshed whenever events arrive.
CREATE TABLE rollup_stale_days (
    day       date PRIMARY KEY,
    marked_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE rollup_stale_days;
