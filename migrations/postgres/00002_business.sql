-- +goose Up
-- What the dashboards need and the seed forgot: costs (for CAC, LTV/CAC, gross margin, burn),
-- incidents (for uptime) and targets.

-- Each cost category counts towards exactly one line of the P&L. Gross margin subtracts only
-- cost_of_revenue; CAC divides marketing by new users; burn uses every kind.
CREATE TABLE cost_categories (
    category    varchar(40) PRIMARY KEY,
    kind        varchar(20) NOT NULL CHECK (kind IN ('cost_of_revenue', 'marketing', 'operating')),
    description text NOT NULL
);
INSERT INTO cost_categories (category, kind, description) VALUES
    ('infrastructure',     'cost_of_revenue', 'Hosting, databases and network that carry transactions'),
    ('payment_processing', 'cost_of_revenue', 'Fees paid to banks and switches per transaction'),
    ('sms_gateway',        'cost_of_revenue', 'SMS delivery for offline_sms payments'),
    ('marketing',          'marketing',       'Paid acquisition, promotions and referral rewards'),
    ('salaries',           'operating',       'Team salaries and benefits'),
    ('compliance',         'operating',       'Compliance, legal and audit'),
    ('office',             'operating',       'Office and general administration');

-- Costs are booked per calendar month (the first day of the month identifies it).
CREATE TABLE monthly_costs (
    month    date NOT NULL CHECK (extract(day FROM month) = 1),
    category varchar(40) NOT NULL REFERENCES cost_categories(category),
    amount   numeric(15,2) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (month, category)
);

-- Incidents. Only outages (is_outage) count as downtime; overlapping outages count once.
CREATE TABLE incidents (
    id          bigserial PRIMARY KEY,
    title       varchar(200) NOT NULL,
    severity    varchar(20) NOT NULL CHECK (severity IN ('minor', 'major', 'critical')),
    is_outage   boolean NOT NULL DEFAULT false,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,           -- NULL while ongoing
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_at IS NULL OR ended_at > started_at)
);
CREATE INDEX incidents_period_idx ON incidents USING gist (tstzrange(started_at, ended_at, '[)'));

-- KPI targets shown on the tiles. A target is met when the value is at_least / at_most it.
CREATE TABLE kpi_targets (
    metric     varchar(40) PRIMARY KEY,
    comparison varchar(10) NOT NULL CHECK (comparison IN ('at_least', 'at_most')),
    target     numeric(20,6) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO kpi_targets (metric, comparison, target) VALUES
    ('success_rate', 'at_least', 0.97),
    ('fraud_rate',   'at_most',  0.001),
    ('gross_margin', 'at_least', 0.75),
    ('ltv_cac',      'at_least', 3),
    ('uptime',       'at_least', 0.999);

-- The north star: monthly completed volume by month N after launch (launch month = month 1).
CREATE TABLE north_star_milestones (
    months_after_launch integer PRIMARY KEY CHECK (months_after_launch > 0),
    completed_volume    numeric(20,2) NOT NULL CHECK (completed_volume > 0)
);
INSERT INTO north_star_milestones (months_after_launch, completed_volume) VALUES
    (12, 10000000), (18, 100000000), (24, 1000000000);

-- +goose Down
DROP TABLE north_star_milestones;
DROP TABLE kpi_targets;
DROP TABLE incidents;
DROP TABLE monthly_costs;
DROP TABLE cost_categories;
