-- Clears one month's ($1, first day) bank_monthly_recipients sums before they are re-summed.
DELETE FROM bank_monthly_recipients WHERE month = $1
