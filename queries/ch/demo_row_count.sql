SELECT (SELECT count() FROM transaction_events) + (SELECT count() FROM user_activity)
