-- Staging table for users' last activity, known only after the demo payments are drawn.
CREATE TEMP TABLE demo_last_active (
    id          uuid PRIMARY KEY,
    last_active timestamptz NOT NULL
) ON COMMIT DROP
