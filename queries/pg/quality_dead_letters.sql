-- Dead letters by topic first received since $1 (the last 24 hours) and since $2 (the last 7
-- days): the count the dead-letter alert uses, so a bad line sent again is counted once, when
-- it was first refused (ingest_dead_letters_received_idx).
SELECT topic, count(*) FILTER (WHERE received_at >= $1), count(*)
FROM ingest_dead_letters
WHERE received_at >= $2
GROUP BY topic
ORDER BY topic
