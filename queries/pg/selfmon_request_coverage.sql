-- What the server-time rows of [$1, $2) cover: their first minute and how many instances wrote
-- them.
SELECT min(minute), count(DISTINCT instance)
FROM selfmon_request_minutes
WHERE minute >= $1 AND minute < $2
