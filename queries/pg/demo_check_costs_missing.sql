-- Demo-data tests: (month, category) pairs from $1 to $2 (first days of months) without a cost row.
SELECT count(*)
FROM generate_series($1::date, $2::date, interval '1 month') AS m(month)
CROSS JOIN cost_categories c
WHERE NOT EXISTS (
    SELECT 1 FROM monthly_costs mc WHERE mc.month = m.month::date AND mc.category = c.category
)
