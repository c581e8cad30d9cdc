-- Forgets the bank senders the live refreshes of days up to $1 kept: a run that computes $1
-- from the source tables leaves the next refresh to start afresh.
DELETE FROM live_day_bank_senders WHERE day <= $1
