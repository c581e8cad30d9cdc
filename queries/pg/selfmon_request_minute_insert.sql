-- One instance's requests of one minute and route class, as a histogram of server time (the
-- bucket bounds are selfmon.BoundsMS). A minute is written once: a retry after a commit whose
-- answer was lost finds its row and changes nothing, so a count is never doubled.
--   $1 minute   $2 class   $3 instance   $4 requests   $5 bucket counts
INSERT INTO selfmon_request_minutes (minute, class, instance, requests, buckets)
VALUES ($1, $2, $3, $4, $5::bigint[])
ON CONFLICT DO NOTHING
