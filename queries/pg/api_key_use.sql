-- Admits one request of a key: the rate limit and the use counter in one statement on the
-- key's row. Concurrent requests, from any instance of the app, queue on the row's lock and
-- each sees the count left by those before it, so no two can take the same last place.
--
-- The window is the calendar minute of the request ($2). A stored window older than that
-- starts afresh with this request. A stored window newer than it (another instance's clock a
-- little ahead) is kept and the request counts in it, so skewed clocks cannot reset the count.
-- The request is allowed while the window's count, this request included, is within the
-- key's rate; an allowed request is a use, a refused one is counted as refused.
--
-- Nothing is returned for a key that is revoked or expired at $2.
WITH req AS (SELECT $2::timestamptz AS at, date_trunc('minute', $2::timestamptz) AS minute)
UPDATE api_keys k
SET window_start    = greatest(k.window_start, req.minute),
    window_requests = CASE WHEN k.window_start >= req.minute THEN k.window_requests + 1 ELSE 1 END,
    uses            = k.uses + CASE WHEN k.window_start >= req.minute AND k.window_requests >= k.rate_per_minute
                                    THEN 0 ELSE 1 END,
    refused         = k.refused + CASE WHEN k.window_start >= req.minute AND k.window_requests >= k.rate_per_minute
                                          THEN 1 ELSE 0 END,
    last_used_at    = CASE WHEN k.window_start >= req.minute AND k.window_requests >= k.rate_per_minute
                           THEN k.last_used_at ELSE req.at END
FROM req
WHERE k.id = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > req.at)
RETURNING k.window_start, k.window_requests, k.rate_per_minute
