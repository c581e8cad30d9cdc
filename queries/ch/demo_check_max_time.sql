SELECT max(t) FROM (
    SELECT max(timestamp) AS t FROM transaction_events
    UNION ALL
    SELECT max(timestamp) AS t FROM user_activity
)
