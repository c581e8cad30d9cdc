-- Today's transaction events so far (one SAST date). The pre-aggregation may hold unmerged
-- parts, so sum them all.
SELECT sumIf(events, event_type = 'initiated') AS initiated,
       sumIf(events, event_type = 'completed') AS completed,
       sumIf(events, event_type = 'failed')    AS failed,
       sumIf(amount, event_type = 'completed') AS completed_amount
FROM daily_bank_events
WHERE date = toDate(?)
