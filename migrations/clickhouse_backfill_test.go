package migrations_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"mari/chtest"
	"mari/dbtest"
	"mari/migrations"
	"mari/queries"
)

// hourly renders the operations page's hourly percentiles of 23:00 on 14 March to 04:00 on
// 15 March (SAST) as "hh:mm n p50 p95".
func hourly(t *testing.T, ch driver.Conn) string {
	t.Helper()
	rows, err := queries.OpsProcessingHourly(context.Background(), ch,
		chtest.SAST("2026-03-14 23:00:00"), chtest.SAST("2026-03-15 04:00:00"), queries.OpsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range rows {
		out = append(out, fmt.Sprintf("%s n%d %d %d", chtest.SASTClock(h.Hour), h.Events, h.P50, h.P95))
	}
	return strings.Join(out, ", ")
}

// The hand-worked answer for the whole of chtest.ProcessingTimeEvents.
const wantHourly = "23:00 n1 5000 5000, 00:00 n2 100 7000, 01:00 n20 900 2918, 02:00 n5 800 1000, 03:00 n1 1234 1234"

func execFile(t *testing.T, ch driver.Conn, name string) {
	t.Helper()
	body, err := os.ReadFile("clickhouse/" + name)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range migrations.SplitStatements(string(body)) {
		if err := ch.Exec(context.Background(), stmt); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stmt)
		}
	}
}

// A database that had events before the histogram existed gets them by the migration's
// backfill, and later events through the materialized view: each event counted exactly once.
// A rerun of the file (a run interrupted before its version was recorded) rebuilds the same
// numbers rather than adding to them.
func TestProcessingHistogramBackfill(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()

	// Back to the schema of the first two files, as a database migrated before this one.
	for _, stmt := range []string{"DROP TABLE processing_time_histogram_mv", "DROP TABLE processing_time_histogram", "DROP TABLE schema_migrations"} {
		if err := db.CH.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	execFile(t, db.CH, "0002_preaggregations.sql")
	if err := db.CH.Exec(ctx, `CREATE TABLE schema_migrations (version UInt32, name String, applied_at DateTime) ENGINE = MergeTree() ORDER BY version`); err != nil {
		t.Fatal(err)
	}
	batch, err := db.CH.PrepareBatch(ctx, `INSERT INTO schema_migrations (version, name, applied_at)`)
	if err != nil {
		t.Fatal(err)
	}
	for v, name := range map[uint32]string{1: "0001_events.sql", 2: "0002_preaggregations.sql"} {
		if err := batch.Append(v, name, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}

	// Events up to 01:30 exist before the migration (2 inserts), the rest arrive after it.
	events := chtest.ProcessingTimeEvents
	chtest.Insert(t, db.CH, events[:6])
	chtest.Insert(t, db.CH, events[6:15])
	if err := migrations.ClickHouse(ctx, db.CH); err != nil {
		t.Fatal(err)
	}
	if got, want := hourly(t, db.CH), "23:00 n1 5000 5000, 00:00 n2 100 7000, 01:00 n10 730 3515"; got != want {
		// 01:00 so far: 1 500 400 3 515 900 610 2 500 500 450 1 100 730 (the initiated event
		// at 01:30 is not final): sorted, rank 5 is 730 and rank 10 is 3 515.
		t.Errorf("after the backfill: %s; want %s", got, want)
	}
	chtest.Insert(t, db.CH, events[15:])
	if got := hourly(t, db.CH); got != wantHourly {
		t.Errorf("after later inserts: %s; want %s", got, wantHourly)
	}

	// The t-digest pre-aggregation is gone; the version is recorded.
	var left, versions uint64
	if err := db.CH.QueryRow(ctx, `SELECT count() FROM system.tables WHERE database = ? AND name IN ('processing_time_hourly', 'processing_time_hourly_mv')`, db.Name).Scan(&left); err != nil || left != 0 {
		t.Errorf("t-digest tables left: %d (%v)", left, err)
	}
	if err := db.CH.QueryRow(ctx, `SELECT count() FROM schema_migrations WHERE version = 3`).Scan(&versions); err != nil || versions != 1 {
		t.Errorf("version 3 recorded %d times (%v)", versions, err)
	}

	// The runner reruns a whole file when its version row is missing: this one starts afresh.
	execFile(t, db.CH, "0003_processing_time_histogram.sql")
	if got := hourly(t, db.CH); got != wantHourly {
		t.Errorf("after a rerun: %s; want %s", got, wantHourly)
	}
}
