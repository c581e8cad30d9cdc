-- +goose Up
-- The two revenue rules every page shares, written once here and read by every query that
-- needs them (the executive dashboard, the bank pages, investor reports, the model's actuals).
--
-- Both rules round to the cent per bank and calendar month, and both are cumulative: the
-- amount of a day is what the month owes through that day, rounded, less what it owed
-- through the day before, rounded. So the days of a month add up exactly to the month's
-- rounded amount, and any range of days (a week, a range that cuts a month, a single day)
-- is the sum of its days: a chart and a tile over the same range always agree.

-- Licensing fees accrue per day in force: a bank's monthly fee × the days of the month its
-- contract covers ÷ the days in that month. A contract covers the days from its start date
-- through its end date (open-ended when there is none). For each day of [p_from, p_to] and
-- each bank in force that day, what the day accrues.
-- +goose StatementBegin
CREATE FUNCTION licensing_accrual(p_from date, p_to date)
RETURNS TABLE (day date, bank_code varchar(20), amount numeric(14,2))
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT d.day, b.bank_code,
           round(b.monthly_fee * k.days_in_force / k.days_in_month, 2)
         - round(b.monthly_fee * (k.days_in_force - 1) / k.days_in_month, 2)
    FROM (SELECT g::date AS day
          FROM generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS g) AS d
    JOIN bank_partnerships b
      ON b.contract_start_date <= d.day
     AND (b.contract_end_date IS NULL OR d.day <= b.contract_end_date)
    CROSS JOIN LATERAL (
        SELECT d.day - greatest(b.contract_start_date, date_trunc('month', d.day)::date) + 1 AS days_in_force,
               extract(day FROM date_trunc('month', d.day) + interval '1 month - 1 day')::int AS days_in_month
    ) AS k
$$;
-- +goose StatementEnd

-- The banks' share of transaction fees. Per bank and calendar month, the bank's share is its
-- transaction_fee_percentage of the fee (p_fee per completed transaction) × its completed
-- transactions, rounded to the cent; Mari keeps the rest. Transactions belong to the SAST
-- day they were initiated (as every transaction figure does). For each day of [p_from, p_to]
-- and each bank with completed transactions that day: the count, the fees billed and the
-- bank's share of them. The month's earlier days are read too, because the cumulative
-- rounding needs the count through the day before.
-- +goose StatementBegin
CREATE FUNCTION bank_fee_share(p_from date, p_to date, p_fee numeric)
RETURNS TABLE (day date, bank_code varchar(20), completed bigint, fees_billed numeric(14,2), bank_share numeric(14,2))
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH per_day AS (
        SELECT s.day, s.bank_id, sum(s.transactions)::bigint AS completed
        FROM bank_daily_status s
        WHERE s.status = 'COMPLETED'
          AND s.day >= date_trunc('month', p_from::timestamp)::date AND s.day <= p_to
        GROUP BY s.day, s.bank_id
    ),
    running AS (
        SELECT p.day, p.bank_id, p.completed,
               sum(p.completed) OVER (PARTITION BY p.bank_id, date_trunc('month', p.day::timestamp)
                                      ORDER BY p.day) AS through_day
        FROM per_day p
    )
    SELECT r.day, r.bank_id, r.completed,
           round(p_fee * r.completed, 2),
           round(b.transaction_fee_percentage * p_fee * r.through_day, 2)
         - round(b.transaction_fee_percentage * p_fee * (r.through_day - r.completed), 2)
    FROM running r
    JOIN bank_partnerships b ON b.bank_code = r.bank_id
    WHERE r.day >= p_from
$$;
-- +goose StatementEnd

-- Mari's revenue per SAST day of [p_from, p_to]: transaction fees billed (p_fee per completed
-- transaction, with or without a bank), less the banks' shares, plus licensing fees accrued.
-- Days without a rollup row count zero transaction fees; licensing accrues every day.
-- +goose StatementBegin
CREATE FUNCTION revenue_daily(p_from date, p_to date, p_fee numeric)
RETURNS TABLE (day date, fees_billed numeric(16,2), bank_share numeric(16,2),
               transaction_revenue numeric(16,2), licensing_revenue numeric(16,2), revenue numeric(16,2))
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH days AS (
        SELECT g::date AS day FROM generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS g
    ),
    billed AS (
        SELECT m.date AS day, round(p_fee * m.successful_transactions, 2) AS fees
        FROM daily_metrics m WHERE m.date >= p_from AND m.date <= p_to
    ),
    shares AS (
        SELECT s.day, sum(s.bank_share) AS share FROM bank_fee_share(p_from, p_to, p_fee) s GROUP BY s.day
    ),
    licensing AS (
        SELECT l.day, sum(l.amount) AS amount FROM licensing_accrual(p_from, p_to) l GROUP BY l.day
    )
    SELECT d.day,
           coalesce(b.fees, 0),
           coalesce(s.share, 0),
           coalesce(b.fees, 0) - coalesce(s.share, 0),
           coalesce(l.amount, 0),
           coalesce(b.fees, 0) - coalesce(s.share, 0) + coalesce(l.amount, 0)
    FROM days d
    LEFT JOIN billed b    ON b.day = d.day
    LEFT JOIN shares s    ON s.day = d.day
    LEFT JOIN licensing l ON l.day = d.day
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION revenue_daily(date, date, numeric);
DROP FUNCTION bank_fee_share(date, date, numeric);
DROP FUNCTION licensing_accrual(date, date);
