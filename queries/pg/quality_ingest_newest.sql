-- The newest event ingestion received on each topic since $1 (the BRIN index on received_at
-- reads only the ledger's newest pages).
SELECT topic, max(received_at)
FROM ingest_ledger
WHERE received_at > $1
GROUP BY topic
ORDER BY topic
