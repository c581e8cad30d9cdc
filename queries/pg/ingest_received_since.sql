-- Whether any event was applied after an instant (the BRIN index reads only the newest pages).
SELECT EXISTS (SELECT 1 FROM ingest_ledger WHERE received_at > $1)
