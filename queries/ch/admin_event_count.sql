SELECT count() FROM transaction_events
