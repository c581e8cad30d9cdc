-- The stalled-stream alert template: how many events (of any topic) ingestion received in the
-- window ($1, $2], and the newest received up to $2 within a day before the window (NULL when
-- none: a stream that never started, or has been silent for over a day).
SELECT (SELECT count(*) FROM ingest_ledger WHERE received_at > $1 AND received_at <= $2),
       (SELECT max(received_at) FROM ingest_ledger WHERE received_at > $1::timestamptz - interval '1 day' AND received_at <= $2)
