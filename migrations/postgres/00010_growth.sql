-- +goose Up
-- The growth dashboard's rollups (rollup/growth.go), computed by the "growth" day job from
-- users and transactions. Every row is a pure function of those source tables: a re-run
-- rewrites identical rows. Whether a figure is already knowable (a window that has closed, a
-- day that has passed) depends on the reader's "today", so it is decided when the page is read,
-- never stored.

-- One row per user: the sign-up facts and what the user did in the windows that follow it.
CREATE TABLE growth_users (
    user_id          uuid PRIMARY KEY REFERENCES users(id),
    signup_at        timestamptz NOT NULL,
    signup_day       date NOT NULL,          -- SAST calendar day of signup_at
    signup_source    varchar(50) NOT NULL,
    referrer_user_id uuid,
    -- The referrer's users.blood_hash, copied so the top-referrers panel needs no join to users
    -- (at scale 10 that join cost more than the page's whole time budget).
    referrer_blood_hash varchar(16),
    -- Initiation time of the first sent transaction with status COMPLETED that was initiated
    -- within 168 hours of signing up; NULL when there is none (yet).
    activated_at     timestamptz,
    -- Sent a transaction (any status) on SAST day signup_day + 1 / + 7 / + 30. false while that
    -- day has not happened: readers only count users whose day has passed.
    d1_active        boolean NOT NULL,
    d7_active        boolean NOT NULL,
    d30_active       boolean NOT NULL
);
CREATE INDEX growth_users_signup_day_idx ON growth_users (signup_day);
-- The top-referrers panel reads referred users of a range of signup days, index-only.
CREATE INDEX growth_users_referred_idx ON growth_users (signup_day)
    INCLUDE (referrer_blood_hash, activated_at) WHERE referrer_blood_hash IS NOT NULL;

-- One row per (SAST signup day, signup source) that has sign-ups: the sums of growth_users, so
-- a page reads a few hundred rows whatever the number of users.
CREATE TABLE growth_daily (
    signup_day    date NOT NULL,
    signup_source varchar(50) NOT NULL,
    signups       integer NOT NULL,
    activated     integer NOT NULL,  -- activated_at IS NOT NULL
    d1_active     integer NOT NULL,
    d7_active     integer NOT NULL,
    d30_active    integer NOT NULL,
    PRIMARY KEY (signup_day, signup_source)
);

-- +goose Down
DROP TABLE growth_daily;
DROP TABLE growth_users;
