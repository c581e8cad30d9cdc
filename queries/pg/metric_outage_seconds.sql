-- Seconds of outage inside each window [$1[i], $2[i]), in the arrays' order: the union of
-- outage incidents clipped to the window, so overlapping outages count once; an ongoing
-- outage (ended_at NULL) runs to the window's end.
SELECT coalesce((
           SELECT sum(extract(epoch FROM upper(r) - lower(r)))
           FROM unnest((
               SELECT range_agg(tstzrange(greatest(i.started_at, w.from_at),
                                          least(coalesce(i.ended_at, w.to_at), w.to_at), '[)'))
               FROM incidents i
               WHERE i.is_outage
                 AND i.started_at < w.to_at
                 AND (i.ended_at IS NULL OR i.ended_at > w.from_at)
           )) AS r), 0)::numeric
FROM unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS w(from_at, to_at, n)
ORDER BY w.n
