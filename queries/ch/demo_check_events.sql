SELECT event_type, count(), toString(sum(amount)), uniqExact(transaction_id)
FROM transaction_events
GROUP BY event_type
ORDER BY event_type
