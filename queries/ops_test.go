package queries_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mari/chtest"
	"mari/dbtest"
	"mari/queries"
)

// hourly renders OpsProcessingHourly's rows as "hh:mm n p50 p95" (SAST) for comparison with
// the hand-worked lists below.
func hourly(t *testing.T, rows []queries.HourLatency) string {
	t.Helper()
	var out []string
	for _, h := range rows {
		out = append(out, fmt.Sprintf("%s n%d %d %d", chtest.SASTClock(h.Hour), h.Events, h.P50, h.P95))
	}
	return strings.Join(out, ", ")
}

// The hourly p50 and p95 are exact nearest-rank percentiles, every hour and every filter, from
// the histogram pre-aggregation that the materialized view fills at insert time. The numbers
// are worked out by hand beside chtest.ProcessingTimeEvents.
func TestOpsProcessingHourlyIsExactNearestRank(t *testing.T) {
	db := dbtest.New(t)
	// Two inserts: the pre-aggregation then holds unmerged parts, which the query must sum.
	chtest.Insert(t, db.CH, chtest.ProcessingTimeEvents[:12])
	chtest.Insert(t, db.CH, chtest.ProcessingTimeEvents[12:])
	ctx := context.Background()
	from, to := chtest.SAST("2026-03-14 23:00:00"), chtest.SAST("2026-03-15 04:00:00")
	for _, c := range []struct {
		filter queries.OpsFilter
		want   string
	}{
		{queries.OpsFilter{}, "23:00 n1 5000 5000, 00:00 n2 100 7000, 01:00 n20 900 2918, 02:00 n5 800 1000, 03:00 n1 1234 1234"},
		{queries.OpsFilter{Bank: "BANKA"}, "23:00 n1 5000 5000, 00:00 n1 100 100, 01:00 n17 900 2918, 02:00 n5 800 1000"},
		{queries.OpsFilter{Bank: "BANKB"}, "00:00 n1 7000 7000, 01:00 n3 1300 3515, 03:00 n1 1234 1234"},
		{queries.OpsFilter{Channel: "offline_sms"}, "01:00 n5 1300 3515"},
		{queries.OpsFilter{Channel: "online"}, "23:00 n1 5000 5000, 00:00 n2 100 7000, 01:00 n15 900 2918, 02:00 n5 800 1000, 03:00 n1 1234 1234"},
		{queries.OpsFilter{Bank: "BANKA", Channel: "offline_sms"}, "01:00 n2 610 2100"},
		{queries.OpsFilter{Bank: "BANKB", Channel: "online"}, "00:00 n1 7000 7000, 03:00 n1 1234 1234"},
		{queries.OpsFilter{Bank: "NOBANK"}, ""},
	} {
		rows, err := queries.OpsProcessingHourly(ctx, db.CH, from, to, c.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := hourly(t, rows); got != c.want {
			t.Errorf("filter %+v:\n got  %s\n want %s", c.filter, got, c.want)
		}
	}

	// Window edges: [00:00, 02:00) holds exactly the hours 00:00 and 01:00, so neither the
	// last second of 14 March (hour 23:00) nor 02:00's events leak in; hours are SAST hours
	// (00:00 SAST is 22:00 UTC the day before).
	rows, err := queries.OpsProcessingHourly(ctx, db.CH, chtest.SAST("2026-03-15 00:00:00"), chtest.SAST("2026-03-15 02:00:00"), queries.OpsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hourly(t, rows), "00:00 n2 100 7000, 01:00 n20 900 2918"; got != want {
		t.Errorf("00:00–02:00: %s; want %s", got, want)
	}
	if rows[0].Hour.UTC().Format("2006-01-02 15:04") != "2026-03-14 22:00" {
		t.Errorf("hour 00:00 SAST starts at %s UTC; want 2026-03-14 22:00", rows[0].Hour.UTC())
	}
}

// HourlyPercentiles on its own: hours split where the hour changes, one value per hour and
// repeated values.
func TestHourlyPercentiles(t *testing.T) {
	h1, h2 := chtest.SAST("2026-03-15 01:00:00"), chtest.SAST("2026-03-15 02:00:00")
	got := queries.HourlyPercentiles([]queries.HourBin{
		{Hour: h1, MS: 1234, Events: 1},
		{Hour: h2, MS: 800, Events: 3}, {Hour: h2, MS: 1000, Events: 2},
	})
	if s := hourly(t, got); s != "01:00 n1 1234 1234, 02:00 n5 800 1000" {
		t.Errorf("HourlyPercentiles = %s", s)
	}
	if got := queries.HourlyPercentiles(nil); len(got) != 0 {
		t.Errorf("no bins gave %v", got)
	}
}
