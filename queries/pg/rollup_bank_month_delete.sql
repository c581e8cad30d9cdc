-- Clears one month's ($1, its first day) top-recipient lists and bounds.
WITH t AS (DELETE FROM bank_monthly_top_recipients WHERE month = $1)
DELETE FROM bank_monthly_recipient_bound WHERE month = $1
