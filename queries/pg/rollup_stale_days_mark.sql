-- Marks past days as changed by late events; a day already marked keeps its mark.
INSERT INTO rollup_stale_days (day, marked_at)
SELECT d, $2 FROM unnest($1::text[]::date[]) AS d
ON CONFLICT (day) DO NOTHING
