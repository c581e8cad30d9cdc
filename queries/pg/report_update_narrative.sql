-- Saves a draft's narrative; published reports are never changed (0 rows).
UPDATE investor_reports
SET milestones = $2, challenges = $3, next_month_goals = $4,
    updated_by = $5, updated_by_email = $6, updated_at = $7
WHERE id = $1 AND status = 'draft'
