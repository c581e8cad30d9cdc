-- Dead letters by topic seen since $1 (the last 24 hours) and since $2 (the last 7 days).
SELECT topic, count(*) FILTER (WHERE last_seen >= $1), count(*)
FROM ingest_dead_letters
WHERE last_seen >= $2
GROUP BY topic
ORDER BY topic
