-- Requests of [$1, $2) per route class and histogram bucket, every instance's added up: the
-- buckets are numbered from 1 in the order of selfmon.BoundsMS.
SELECT m.class, b.i::int, sum(b.n)::bigint
FROM selfmon_request_minutes m
     CROSS JOIN LATERAL unnest(m.buckets) WITH ORDINALITY AS b(n, i)
WHERE m.minute >= $1 AND m.minute < $2
GROUP BY m.class, b.i
ORDER BY m.class, b.i
