-- +goose Up
-- The wall screen's alarm levels, kept beside the targets they refine: where a tile of the
-- operations dashboard turns amber and where it turns red. For an at_least metric the tile
-- is amber below amber and red below red; for an at_most metric it is amber at or above
-- amber and red at or above red. NULL: the metric has no alarm level of that colour.
ALTER TABLE kpi_targets
    ADD COLUMN amber numeric(20,6),
    ADD COLUMN red   numeric(20,6),
    ADD CONSTRAINT kpi_targets_alarm_order CHECK (amber IS NULL OR red IS NULL OR
        (comparison = 'at_least' AND red <= amber) OR (comparison = 'at_most' AND red >= amber));

-- Success rate: below the 97% target is a warning, five points below it an alarm.
UPDATE kpi_targets SET amber = 0.97, red = 0.92 WHERE metric = 'success_rate';

-- Any open incident is an alarm; one stuck payment is a warning, five an alarm; the last full
-- minute's initiations down by half on the same minute last week a warning, by 80% an alarm.
INSERT INTO kpi_targets (metric, comparison, target, amber, red) VALUES
    ('ops_open_incidents',  'at_most',  0,  1,    1),
    ('ops_stuck_payments',  'at_most',  0,  1,    5),
    ('ops_minute_vs_week',  'at_least', 0, -0.5, -0.8)
ON CONFLICT (metric) DO NOTHING;

-- +goose Down
DELETE FROM kpi_targets WHERE metric IN ('ops_open_incidents', 'ops_stuck_payments', 'ops_minute_vs_week');
ALTER TABLE kpi_targets DROP CONSTRAINT kpi_targets_alarm_order, DROP COLUMN red, DROP COLUMN amber;
