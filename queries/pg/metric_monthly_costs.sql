-- Costs booked per calendar month from the month of $1 through $2, by the P&L line they count
-- towards (cost_categories.kind): cost of revenue and marketing. Months without costs are absent.
SELECT c.month,
       coalesce(sum(c.amount) FILTER (WHERE k.kind = 'cost_of_revenue'), 0) AS cost_of_revenue,
       coalesce(sum(c.amount) FILTER (WHERE k.kind = 'marketing'), 0)       AS marketing
FROM monthly_costs c
JOIN cost_categories k ON k.category = c.category
WHERE c.month >= date_trunc('month', $1::date::timestamp)::date AND c.month <= $2::date
GROUP BY c.month
