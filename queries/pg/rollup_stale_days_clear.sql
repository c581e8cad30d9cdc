-- Forgets the marks a recomputation covered: the days it recomputed, marked before it began
-- (a mark made while it ran stays, for the next round).
DELETE FROM rollup_stale_days WHERE day >= $1::date AND marked_at <= $2
