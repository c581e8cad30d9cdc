-- One investor report by id, locked until the transaction ends (save, publish).
SELECT id, month, version, status, figures, milestones, challenges, next_month_goals,
       created_by, created_by_email, updated_by, updated_by_email, created_at, updated_at,
       published_at, published_by, published_by_email
FROM investor_reports
WHERE id = $1
FOR UPDATE
