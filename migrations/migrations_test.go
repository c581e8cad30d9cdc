package migrations_test

import (
	"context"
	"testing"

	"mari/dbtest"
	"mari/migrations"
)

// Migrations apply from empty on both databases (dbtest.New does that) and a second run is a
// no-op that leaves every table in place.
func TestMigrationsApplyFromEmptyAndAreIdempotent(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	if err := migrations.Postgres(ctx, db.PG); err != nil {
		t.Fatalf("second postgres run: %v", err)
	}
	if err := migrations.ClickHouse(ctx, db.CH); err != nil {
		t.Fatalf("second clickhouse run: %v", err)
	}

	var pgTables int
	err := db.PG.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_name = ANY($1)`,
		[]string{"users", "transactions", "daily_metrics", "user_cohorts", "cohort_retention",
			"bank_partnerships", "monthly_costs", "incidents", "kpi_targets", "north_star_milestones", "rollup_runs"}).Scan(&pgTables)
	if err != nil || pgTables != 11 {
		t.Fatalf("postgres tables = %d (%v), want 11", pgTables, err)
	}
	var chTables uint64
	err = db.CH.QueryRow(ctx, `SELECT count() FROM system.tables WHERE database = ? AND name IN
		('transaction_events', 'user_activity', 'events_per_minute', 'processing_time_histogram', 'daily_bank_events', 'user_activity_monthly')`,
		db.Name).Scan(&chTables)
	if err != nil || chTables != 6 {
		t.Fatalf("clickhouse tables = %d (%v), want 6", chTables, err)
	}
	var versions uint64
	if err := db.CH.QueryRow(ctx, `SELECT count() FROM schema_migrations`).Scan(&versions); err != nil || versions != 4 {
		t.Fatalf("clickhouse schema_migrations rows = %d (%v), want 4 (one per file, not repeated)", versions, err)
	}
}

func TestSplitStatements(t *testing.T) {
	got := migrations.SplitStatements("-- a comment; with semicolon\nCREATE TABLE a (x UInt8)\nENGINE = Memory;\n\nSELECT 1;\n")
	if len(got) != 2 || got[0] != "CREATE TABLE a (x UInt8)\nENGINE = Memory" || got[1] != "SELECT 1" {
		t.Fatalf("SplitStatements = %q", got)
	}
}

// A ClickHouse migration that adds columns, interrupted after its ALTERs and before its
// version row, runs again without failing: 18.16 has no ADD COLUMN IF NOT EXISTS, so the
// runner takes "column already exists" on an ADD COLUMN as done.
func TestClickHouseAddColumnMigrationRepeats(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	// Forget that 0004 (the ingestion columns) ran, as if the run had stopped before its row.
	if err := db.CH.Exec(ctx, `DROP TABLE schema_migrations`); err != nil {
		t.Fatal(err)
	}
	if err := migrations.ClickHouse(ctx, db.CH); err != nil {
		t.Fatalf("rerun over existing columns: %v", err)
	}
	var n uint64
	if err := db.CH.QueryRow(ctx, `SELECT count() FROM system.columns WHERE database = ? AND name = 'ingest_seq'`, db.Name).Scan(&n); err != nil || n != 2 {
		t.Fatalf("ingest_seq columns: %d (%v), want 2", n, err)
	}
}
