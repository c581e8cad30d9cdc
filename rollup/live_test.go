package rollup_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"mari/dbtest"
	"mari/events"
	"mari/ingest"
	"mari/ingest/ingesttest"
	"mari/rollup"
)

// liveBatch stores events as the ingestion endpoint would, stamped at now.
func liveBatch(t *testing.T, db *dbtest.DB, now time.Time, evs ...events.Event) {
	t.Helper()
	s := ingest.NewStore(db.PG, quiet())
	s.Now = func() time.Time { return now }
	s.Parser.Now = s.Now
	var lines []ingest.Line
	for _, e := range evs {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, ingest.Line{Topic: e.Topic(), Data: b, Source: "test"})
	}
	res, err := s.Ingest(context.Background(), lines)
	if err != nil || res.Accepted != len(evs) {
		t.Fatalf("ingest: %+v %v", res, err)
	}
}

// Today's rollups follow ingested events at the scheduler's next live look, without a round;
// a late payment of yesterday marks yesterday, and the next look recomputes it (and today,
// whose running totals continue from it).
func TestLiveLookFollowsIngestedEvents(t *testing.T) {
	db := dbtest.New(t)
	dbtest.Bank{Code: ingesttest.Bank, Start: "2025-01-01"}.Insert(t, db)
	dbtest.User{Name: "alice", Created: "2026-11-02 09:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-11-03 09:00:00"}.Insert(t, db)
	now := dbtest.SAST("2026-11-30 14:00:00")
	s := rollup.NewScheduler(rollup.New(db.PG, quiet(), func() time.Time { return now }), time.Hour)
	s.Tick(context.Background()) // the round that claims the lease and computes everything
	count := func(sql string) int64 {
		t.Helper()
		var n int64
		if err := db.PG.QueryRow(context.Background(), sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	runs := func() int64 { return count(`SELECT count(*) FROM rollup_runs`) }
	before := runs()

	// Nothing ingested: a look changes nothing.
	s.LiveTick(context.Background())
	if got := runs(); got != before {
		t.Fatalf("a look with no new events ran %d jobs", got-before)
	}

	// A payment of 40.00 at 13:59, completed: today shows it at the next look.
	liveBatch(t, db, now,
		ingesttest.Initiated("i1", "T1", "alice", "bob", "40.00", dbtest.SAST("2026-11-30 13:59:00")),
		ingesttest.Final("c1", "T1", "alice", events.Completed, dbtest.SAST("2026-11-30 13:59:02"), 2000, ""))
	s.LiveTick(context.Background())
	if got := readDay(t, db, "2026-11-30"); got.Total != 1 || got.Successful != 1 || got.Volume != "40.00" || got.Active != 1 {
		t.Errorf("today after the look: %s", fmtRow(got))
	}

	// A late payment of yesterday (15.50 at 18:00, failed): yesterday is recomputed.
	liveBatch(t, db, now.Add(time.Second),
		ingesttest.Initiated("i2", "T2", "bob", "alice", "15.50", dbtest.SAST("2026-11-29 18:00:00")),
		ingesttest.Final("f2", "T2", "bob", events.Failed, dbtest.SAST("2026-11-29 18:00:04"), 4000, "bank_timeout"))
	if n := count(`SELECT count(*) FROM rollup_stale_days WHERE day = '2026-11-29'`); n != 1 {
		t.Fatalf("yesterday is not marked (%d)", n)
	}
	s.LiveTick(context.Background())
	if got := readDay(t, db, "2026-11-29"); got.Total != 1 || got.Failed != 1 {
		t.Errorf("yesterday after the look: %s", fmtRow(got))
	}
	if n := count(`SELECT count(*) FROM rollup_stale_days`); n != 0 {
		t.Errorf("%d days still marked", n)
	}

	// Another payment today within the minute: refreshed at the next look, not recorded as a
	// run (one recorded refresh a minute).
	runsBefore := runs()
	liveBatch(t, db, now.Add(2*time.Second),
		ingesttest.Initiated("i3", "T3", "alice", "bob", "20.00", dbtest.SAST("2026-11-30 13:59:30")),
		ingesttest.Final("c3", "T3", "alice", events.Completed, dbtest.SAST("2026-11-30 13:59:31"), 1000, ""))
	s.LiveTick(context.Background())
	if got := readDay(t, db, "2026-11-30"); got.Total != 2 || got.Successful != 2 || got.Volume != "60.00" {
		t.Errorf("today after the third look: %s", fmtRow(got))
	}
	if got := runs(); got != runsBefore {
		t.Errorf("the unrecorded refresh added %d runs", got-runsBefore)
	}
}
