-- Publishes a draft, freezing its figures.
UPDATE investor_reports
SET status = 'published', figures = $2,
    published_at = $5, published_by = $3, published_by_email = $4,
    updated_by = $3, updated_by_email = $4, updated_at = $5
WHERE id = $1 AND status = 'draft'
