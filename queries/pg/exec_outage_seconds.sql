-- Seconds of outage inside [$1, $2): the union of outage incidents clipped to the window, so
-- overlapping outages count once. An ongoing outage (ended_at NULL) runs to the window's end.
SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r))), 0)::numeric
FROM unnest((
    SELECT range_agg(tstzrange(greatest(started_at, $1::timestamptz),
                               least(coalesce(ended_at, $2::timestamptz), $2::timestamptz), '[)'))
    FROM incidents
    WHERE is_outage
      AND started_at < $2::timestamptz
      AND (ended_at IS NULL OR ended_at > $1::timestamptz)
)) AS r
