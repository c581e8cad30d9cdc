package handlers

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/calendar"
	"mari/catalogue"
	"mari/chtest"
	"mari/dbconn"
	"mari/dbtest"
	"mari/queries"
	"mari/views"
)

// qualityNow is 2026-03-15 10:30:00 SAST: today is the 15th, the last 24 hours start at
// 10:30 on the 14th, the 14 days compared are 2 to 15 March.
var qualityNow = dbtest.SAST("2026-03-15 10:30:00")

// qualityDB is a fresh database pair with the two users the payments below are between.
func qualityDB(t *testing.T) *dbtest.DB {
	t.Helper()
	db := dbtest.New(t)
	dbtest.User{Name: "u1", Created: "2026-03-01 09:00:00"}.Insert(t, db)
	dbtest.User{Name: "u2", Created: "2026-03-01 09:00:00"}.Insert(t, db)
	return db
}

func newQuality(pg queries.Querier, ch driver.Conn) *Quality {
	return NewQuality(pg, ch, QualityOptions{PanelTimeout: 3 * time.Second, Now: func() time.Time { return qualityNow }})
}

// seedQualityState writes the PostgreSQL side the freshness, rollup and dead-letter panels
// read (all times SAST, on 15 March unless said):
//
//	payments      one initiated 10:27:00, completed 10:27:01; one from 1 March
//	received      transaction-events 10:28:00; user-activity 09:00:00; user-events on 1 March
//	              only (over 7 days ago)
//	outbox        2 transaction events queued 10:20:00, 1 activity row queued 10:29:30
//	held          1 since 10:29:00
//	rollup runs   daily_metrics partial of the 15th: succeeded 10:29:00–10:29:05, 09:29, 08:29;
//	                failed 09:00 ("canceling statement due to statement timeout")
//	              daily_metrics final of the 14th: succeeded 02:05
//	              bank_daily partial: succeeded 10:15:00–10:15:10; failed 10:20 ("deadline exceeded")
//	              bank_daily final of the 13th: failed 14 March 09:00 (over 24 hours ago)
//	              cohorts partial of March: succeeded 10:28:00–10:28:30; unfinished since 10:25
//	              growth: never
//	dead letters  transaction-events last seen 10:00, 08:00 and 12 March; user-activity 10 March;
//	              user-events 7 March (over 7 days ago)
func seedQualityState(t *testing.T, db *dbtest.DB) {
	t.Helper()
	dbtest.Tx{From: "u1", To: "u2", Amount: "10.00", Status: "COMPLETED", At: "2026-03-15 10:27:00"}.Insert(t, db)
	dbtest.Tx{From: "u1", To: "u2", Amount: "10.00", Status: "COMPLETED", At: "2026-03-01 12:00:00"}.Insert(t, db)
	for topic, at := range map[string]string{"transaction-events": "2026-03-15 10:28:00", "user-activity": "2026-03-15 09:00:00", "user-events": "2026-03-01 09:00:00"} {
		db.Exec(t, `INSERT INTO ingest_ledger (event_id, topic, received_at) VALUES ($1, $2, $3), ($4, $2, $3::timestamptz - interval '1 minute')`,
			uuid.New(), topic, dbtest.SAST(at), uuid.New())
	}
	for range 2 {
		db.Exec(t, `INSERT INTO ch_outbox_transaction_events (event_id, transaction_id, user_id, event_type, at, amount, currency,
			bank_id, device_type, channel, processing_time_ms, sentinel_score, failure_reason, error_code, queued_at)
			VALUES ($1, $2, $3, 'initiated', $4, 10, 'ZAR', '', 'android', 'online', 0, 0, '', '', $4)`,
			uuid.New(), uuid.New(), dbtest.UserID("u1"), dbtest.SAST("2026-03-15 10:20:00"))
	}
	db.Exec(t, `INSERT INTO ch_outbox_user_activity (event_id, user_id, activity_type, at, device_type, app_version, location_hash, queued_at)
		VALUES ($1, $2, 'login', $3, 'android', '1.0', 'loc', $3)`, uuid.New(), dbtest.UserID("u1"), dbtest.SAST("2026-03-15 10:29:30"))
	db.Exec(t, `INSERT INTO ingest_held (event_id, topic, payload, waiting_for, source, held_at)
		VALUES ($1, 'transaction-events', '{}', 'payment', 'test', $2)`, uuid.New(), dbtest.SAST("2026-03-15 10:29:00"))
	run := func(job, mode, from, to, started, finished, errText string) {
		var fin *time.Time
		if finished != "" {
			f := dbtest.SAST(finished)
			fin = &f
		}
		var e *string
		if errText != "" {
			e = &errText
		}
		db.Exec(t, `INSERT INTO rollup_runs (job, mode, period_start, period_end, started_at, finished_at, rows_written, error)
			VALUES ($1, $2, $3, $4, $5, $6, 1, $7)`, job, mode, from, to, dbtest.SAST(started), fin, e)
	}
	run("daily_metrics", "partial", "2026-03-15", "2026-03-15", "2026-03-15 10:29:00", "2026-03-15 10:29:05", "")
	run("daily_metrics", "partial", "2026-03-15", "2026-03-15", "2026-03-15 09:29:00", "2026-03-15 09:29:05", "")
	run("daily_metrics", "partial", "2026-03-15", "2026-03-15", "2026-03-15 08:29:00", "2026-03-15 08:29:05", "")
	run("daily_metrics", "partial", "2026-03-15", "2026-03-15", "2026-03-15 09:00:00", "2026-03-15 09:05:00", "canceling statement due to statement timeout")
	run("daily_metrics", "final", "2026-03-14", "2026-03-14", "2026-03-15 02:05:00", "2026-03-15 02:05:30", "")
	run("bank_daily", "partial", "2026-03-15", "2026-03-15", "2026-03-15 10:15:00", "2026-03-15 10:15:10", "")
	run("bank_daily", "partial", "2026-03-15", "2026-03-15", "2026-03-15 10:20:00", "2026-03-15 10:20:03", "deadline exceeded")
	run("bank_daily", "final", "2026-03-13", "2026-03-13", "2026-03-14 09:00:00", "2026-03-14 09:00:01", "too old to list")
	run("cohorts", "partial", "2026-03-01", "2026-03-31", "2026-03-15 10:28:00", "2026-03-15 10:28:30", "")
	run("cohorts", "partial", "2026-03-01", "2026-03-31", "2026-03-15 10:25:00", "", "")
	for i, d := range []struct{ topic, seen string }{
		{"transaction-events", "2026-03-15 10:00:00"}, {"transaction-events", "2026-03-15 08:00:00"},
		{"transaction-events", "2026-03-12 10:00:00"}, {"user-activity", "2026-03-10 12:00:00"}, {"user-events", "2026-03-07 10:00:00"},
	} {
		db.Exec(t, `INSERT INTO ingest_dead_letters (fingerprint, topic, source, reason, payload, received_at, last_seen)
			VALUES ($1, $2, 'test', 'amount: missing', '{}', $3, $3)`, []byte(fmt.Sprintf("fp-%d", i)), d.topic, dbtest.SAST(d.seen))
	}
}

// qualityCH writes the ClickHouse side of the freshness test: the newest transaction event at
// 10:24:00 (6 minutes old, with transaction events waiting in the outbox since 10:20) and the
// newest activity at 08:00:00 (the activity waiting was queued 30 s ago).
func qualityCH(t *testing.T, ch driver.Conn) {
	t.Helper()
	chtest.Insert(t, ch, []chtest.Event{{Type: "initiated", At: "2026-03-15 10:24:00"}, {Type: "initiated", At: "2026-03-14 10:00:00"}})
	batch, err := ch.PrepareBatch(context.Background(), queries.SQL("ch/demo_insert_activity"))
	if err != nil {
		t.Fatal(err)
	}
	if err := batch.Append(dbtest.UserID("u1"), "login", dbtest.SAST("2026-03-15 08:00:00"), "android", "1.0", "loc"); err != nil {
		t.Fatal(err)
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
}

func freshRows(rows []views.QualityFreshRow) string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s | %s | %s | %s | %s", r.Source, r.Newest, r.Age, r.Verdict, r.Note))
	}
	return strings.Join(out, "\n")
}

func TestQualityFreshnessHandWorked(t *testing.T) {
	db := qualityDB(t)
	seedQualityState(t, db)
	qualityCH(t, db.CH)
	in := qualityIn{h: newQuality(db.PG, db.CH), now: qualityNow}
	ctx := context.Background()

	pg, err := loadFreshnessPG(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"Payments initiated | 15 Mar 10:27:00 | 3 min 00 s | met | ",
		"Payments reaching a final state | 15 Mar 10:27:01 | 2 min 59 s | met | ",
		"Received by ingestion: user-events | — | — | unknown | nothing received in the last 7 days",
		"Received by ingestion: transaction-events | 15 Mar 10:28:00 | 2 min 00 s | met | ",
		"Received by ingestion: user-activity | 15 Mar 09:00:00 | 1 h 30 min | met | quiet: nothing received since 15 Mar 09:00:00, not a pipeline failure",
		"Waiting for ClickHouse | oldest queued 15 Mar 10:20:00 | 10 min 00 s | not met | 2 transaction events and 1 activity row: ClickHouse is behind",
		"Held events | oldest held 15 Mar 10:29:00 | 1 min 00 s | met | 1 waiting for their user or payment (dead letters after 15 min)",
		// Covers 10:29:00, after the newest payment change (10:27:01).
		"Rollup job daily_metrics | last success 15 Mar 10:29:05 | 55 s | met | ",
		// Its newest success of today started at 10:15, before the payments of 10:27: 15 minutes behind.
		"Rollup job bank_daily | last success 15 Mar 10:15:10 | 14 min 50 s | not met | payments since 15 Mar 10:15:00 not included yet",
		"Rollup job growth | — | — | not met | never succeeded",
		"Rollup job cohorts | last success 15 Mar 10:28:30 | 1 min 30 s | met | ",
	}, "\n")
	if got := freshRows(pg.Table.Rows); got != want {
		t.Errorf("PostgreSQL freshness:\n%s\nwant\n%s", got, want)
	}
	// The headline: the longest wait is bank_daily's 15 minutes (the outbox's is 10).
	tile := pg.Tile
	if tile.Value != "15 min 00 s" || tile.Verdict != views.VerdictNotMet ||
		strings.Join(tile.Lines, "; ") != "ClickHouse: 3 rows waiting, the oldest for 10 min 00 s; rollups behind: bank_daily and growth" {
		t.Errorf("freshness tile: %+v", tile)
	}

	chRows, err := loadFreshnessCH(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	want = strings.Join([]string{
		"Transaction events (transaction_events) | 15 Mar 10:24:00 | 6 min 00 s | not met | behind: 2 rows waiting since 15 Mar 10:20:00",
		"App activity (user_activity) | 15 Mar 08:00:00 | 2 h 30 min | met | 1 row on the way (queued under 5 minutes ago)",
	}, "\n")
	if got := freshRows(chRows.Rows); got != want {
		t.Errorf("ClickHouse freshness:\n%s\nwant\n%s", got, want)
	}
}

// A quiet stream: nothing received for over 5 minutes and nothing waiting is up to date, "no
// events since …", not a failure.
func TestQualityQuietStreamIsNotAFailure(t *testing.T) {
	db := qualityDB(t)
	dbtest.Tx{From: "u1", To: "u2", Amount: "10.00", Status: "COMPLETED", At: "2026-03-15 09:00:00"}.Insert(t, db)
	db.Exec(t, `INSERT INTO ingest_ledger (event_id, topic, received_at) VALUES ($1, 'transaction-events', $2)`, uuid.New(), dbtest.SAST("2026-03-15 09:00:01"))
	for _, job := range qualityRollupJobs {
		db.Exec(t, `INSERT INTO rollup_runs (job, mode, period_start, period_end, started_at, finished_at, rows_written)
			VALUES ($1, 'partial', '2026-03-01', '2026-03-31', $2, $3, 1)`, job, dbtest.SAST("2026-03-15 10:10:00"), dbtest.SAST("2026-03-15 10:10:20"))
	}
	chtest.Insert(t, db.CH, []chtest.Event{{Type: "initiated", At: "2026-03-15 09:00:00"}})
	in := qualityIn{h: newQuality(db.PG, db.CH), now: qualityNow}
	pg, err := loadFreshnessPG(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if pg.Tile.Value != "up to date" || pg.Tile.Verdict != views.VerdictMet ||
		!strings.Contains(strings.Join(pg.Tile.Lines, "; "), "no events since 15 Mar 09:00:01: a quiet stream, not a pipeline failure") {
		t.Errorf("quiet tile: %+v", pg.Tile)
	}
	for _, r := range pg.Table.Rows {
		if r.Verdict == views.VerdictNotMet {
			t.Errorf("quiet stream: %s is not met (%s)", r.Source, r.Note)
		}
		if strings.HasPrefix(r.Source, "Rollup job") && r.Note != "up to date: no payment since its last run" {
			t.Errorf("%s: %q", r.Source, r.Note)
		}
	}
	chRows, err := loadFreshnessCH(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if r := chRows.Rows[0]; r.Verdict != views.VerdictMet || r.Note != "quiet: no events since 15 Mar 09:00:00, nothing waiting; not a pipeline failure" {
		t.Errorf("quiet ClickHouse: %+v", r)
	}
}

// seedQualityStores writes payments into both stores for 2 to 15 March (SAST), with one
// deliberate difference:
//
//	10 Mar  3 payments completed (10.00, 20.00, 30.00)     both stores: 3 initiated, 60.00
//	12 Mar  2 payments completed (25.50, 14.50)            ClickHouse lacks the second one:
//	                                                       PostgreSQL 2 / 40.00, ClickHouse 1 / 25.50
//	13 Mar  1 payment initiated 23:59:59, completed 1.5 s later on the 14th (40.00): initiated
//	        on the 13th and completed on the 14th in both stores
//	14 Mar  1 failed payment (not in the volume), initiated in both
//	15 Mar  (today) 1 completed 10:00 (5.00) in PostgreSQL, not yet in ClickHouse: partial
//
// Complete days 2–14 March (13): payments Σ min 3 + 1 + 1 + 1 = 6, Σ max 3 + 2 + 1 + 1 = 7:
// 6 ÷ 7 = 85.71 %; volume Σ min 60 + 25.50 + 40 = 125.50, Σ max 60 + 40 + 40 = 140:
// 89.64 %. Accuracy: the lower, 85.71 %, not met. 12 of 13 days agree.
func seedQualityStores(t *testing.T, db *dbtest.DB) {
	t.Helper()
	var events []chtest.Event
	tx := func(at, amount, status string, ms int, inCH bool) {
		dbtest.Tx{From: "u1", To: "u2", Amount: amount, Status: status, At: at, ProcessingMS: ms}.Insert(t, db)
		if !inCH {
			return
		}
		events = append(events, chtest.Event{Type: "initiated", At: at, Amount: amount})
		final := dbtest.SAST(at).Add(time.Duration(ms) * time.Millisecond).In(calendar.SAST)
		if status == "COMPLETED" {
			events = append(events, chtest.Event{Type: "completed", At: final.Format("2006-01-02 15:04:05"), Amount: amount, MS: uint32(ms)})
		} else {
			events = append(events, chtest.Event{Type: "failed", At: final.Format("2006-01-02 15:04:05"), Amount: amount, MS: uint32(ms), Reason: "insufficient_funds"})
		}
	}
	tx("2026-03-10 09:00:00", "10.00", "COMPLETED", 1000, true)
	tx("2026-03-10 12:00:00", "20.00", "COMPLETED", 1000, true)
	tx("2026-03-10 18:00:00", "30.00", "COMPLETED", 1000, true)
	tx("2026-03-12 09:00:00", "25.50", "COMPLETED", 1000, true)
	tx("2026-03-12 10:00:00", "14.50", "COMPLETED", 1000, false) // the deliberate difference
	tx("2026-03-13 23:59:59", "40.00", "COMPLETED", 1500, true)
	tx("2026-03-14 08:00:00", "7.00", "FAILED", 1000, true)
	tx("2026-03-15 10:00:00", "5.00", "COMPLETED", 1000, false) // today: still landing
	chtest.Insert(t, db.CH, events)
}

func TestQualityAccuracyHandWorked(t *testing.T) {
	db := qualityDB(t)
	seedQualityStores(t, db)
	acc, err := loadAccuracy(context.Background(), qualityIn{h: newQuality(db.PG, db.CH), now: qualityNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(acc.Days) != 14 || !acc.Days[0].Day.Equal(dbtest.Date("2026-03-02")) || !acc.Days[13].Partial {
		t.Fatalf("days: %+v", acc.Days)
	}
	var rows []string
	for _, d := range acc.View.Days {
		if d.State != "agrees" || d.PGInitiated != "0" {
			rows = append(rows, fmt.Sprintf("%s %s/%s %s %s/%s %s %s", d.Day, d.PGInitiated, d.CHInitiated, d.InitiatedGap,
				d.PGVolume, d.CHVolume, d.VolumeGap, d.State))
		}
	}
	nb := "\u00a0"
	want := []string{
		"Sun 15 Mar (today) 1/0 −1 R" + nb + "5.00/R" + nb + "0.00 −R" + nb + "5.00 partial",
		"Sat 14 Mar 1/1  R" + nb + "40.00/R" + nb + "40.00  agrees",
		"Fri 13 Mar 1/1  R" + nb + "0.00/R" + nb + "0.00  agrees",
		"Thu 12 Mar 2/1 −1 R" + nb + "40.00/R" + nb + "25.50 −R" + nb + "14.50 differs",
		"Tue 10 Mar 3/3  R" + nb + "60.00/R" + nb + "60.00  agrees",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("days with payments or a difference, newest first:\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	wantDiff := []string{
		"Sun 15 Mar 2026 (today, partial: events still landing): payments initiated PostgreSQL 1, ClickHouse 0 (−1); completed volume PostgreSQL R" + nb + "5.00, ClickHouse R" + nb + "0.00 (−R" + nb + "5.00)",
		"Thu 12 Mar 2026: payments initiated PostgreSQL 2, ClickHouse 1 (−1); completed volume PostgreSQL R" + nb + "40.00, ClickHouse R" + nb + "25.50 (−R" + nb + "14.50)",
	}
	if strings.Join(acc.View.Differences, "\n") != strings.Join(wantDiff, "\n") {
		t.Errorf("differences:\n%s\nwant\n%s", strings.Join(acc.View.Differences, "\n"), strings.Join(wantDiff, "\n"))
	}
	tile := acc.Tile
	if tile.Value != "85.71%" || tile.Verdict != views.VerdictNotMet || tile.Window != "13 complete SAST days, 2 Mar – 14 Mar" ||
		strings.Join(tile.Lines, "; ") != "payments initiated 85.71% · completed volume 89.64%; 12 of 13 days agree exactly" {
		t.Errorf("accuracy tile: %+v", tile)
	}
}

// The rollup runs of the last 24 hours by job, mode and outcome, with the failures; the dead
// letters by topic.
func TestQualityRollupRunsAndDeadLetters(t *testing.T) {
	db := qualityDB(t)
	seedQualityState(t, db)
	in := qualityIn{h: newQuality(db.PG, db.CH), now: qualityNow}
	r, err := loadRollupRuns(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var counts []string
	for _, c := range r.Counts {
		counts = append(counts, fmt.Sprintf("%s %s %s/%s/%s %t", c.Job, c.Mode, c.Succeeded, c.Failed, c.Unfinished, c.HasFailed))
	}
	if got := strings.Join(counts, ", "); got != "bank_daily partial 1/1/0 true, cohorts partial 1/0/1 false, daily_metrics final 1/0/0 false, daily_metrics partial 3/1/0 true" {
		t.Errorf("counts: %s", got)
	}
	var failures []string
	for _, f := range r.Failures {
		failures = append(failures, fmt.Sprintf("%s %s %s %s: %s", f.Job, f.Mode, f.Period, f.Started, f.Error))
	}
	if got := strings.Join(failures, "\n"); got != "bank_daily partial 2026-03-15 15 Mar 10:20:00: deadline exceeded\n"+
		"daily_metrics partial 2026-03-15 15 Mar 09:00:00: canceling statement due to statement timeout" {
		t.Errorf("failures:\n%s", got)
	}
	if r.Summary != "9 runs started since 14 Mar 10:30:00: 2 failed, 1 unfinished (running, or cut off)." {
		t.Errorf("summary: %s", r.Summary)
	}

	d, err := loadDeadLetters(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%+v %s/%s", d.Rows, d.TotalDay, d.TotalWeek); got != "[{Topic:transaction-events LastDay:2 Week:3} {Topic:user-activity LastDay:0 Week:1}] 2/4" {
		t.Errorf("dead letters: %s", got)
	}
}

// qualityPage renders the page for a role.
func qualityPage(t *testing.T, h *Quality, role auth.Role) (int, string) {
	t.Helper()
	e := echo.New()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/quality", nil), rec)
	auth.SetCurrent(c, auth.Account{ID: 7, Email: string(role) + "@mari.example", Role: role})
	if err := h.Page(c); err != nil {
		e.HTTPErrorHandler(err, c)
	}
	return rec.Code, rec.Body.String()
}

var qualityHelpLink = regexp.MustCompile(`href="/glossary#([^"]+)"`)

// The whole page: the four headline figures with their verdicts, the server time and uptime
// from the app's own rows, the link to the dead letters for admins only, and every "?" linked
// to a metric of the catalogue.
func TestQualityPage(t *testing.T) {
	db := qualityDB(t)
	seedQualityState(t, db)
	qualityCH(t, db.CH)
	ctx := context.Background()
	// Server time: 100 page requests at 10:00 (95 ≤ 250 ms, 5 ≤ 5 s: p95 ≤ 250 ms); heartbeats
	// from 09:00 to 10:29 but 09:10 and 09:11: 88 of 90 minutes.
	if err := queries.SelfmonWriteMinutes(ctx, db.PG, "a", []queries.RequestMinute{{Minute: dbtest.SAST("2026-03-15 10:00:00"),
		Class: "page", Requests: 100, Buckets: []int64{5: 95, 9: 5, 12: 0}}}); err != nil {
		t.Fatal(err)
	}
	for m := range 90 {
		if m == 10 || m == 11 {
			continue
		}
		if err := queries.SelfmonHeartbeat(ctx, db.PG, dbtest.SAST("2026-03-15 09:00:00").Add(time.Duration(m)*time.Minute), "a"); err != nil {
			t.Fatal(err)
		}
	}
	h := newQuality(db.PG, db.CH)
	code, body := qualityPage(t, h, auth.RoleOps)
	if code != http.StatusOK {
		t.Fatalf("GET /quality: %d\n%s", code, body)
	}
	text := html.UnescapeString(body)
	for _, s := range []string{
		"As of 15 Mar 2026 10:30:00 SAST",
		"15 min 00 s", "target ≤ 5 min", "ClickHouse: 3 rows waiting, the oldest for 10 min 00 s",
		// Accuracy: of the complete days, only ClickHouse has a payment (on the 14th; the events
		// here are for freshness): 0 ÷ 1.
		"target ≥ 99.9%", "0.00%",
		"≤ 250 ms", "last 24 hours, pages and API: 100 requests",
		"97.778%", "88 of 90 minutes up, since 15 Mar 09:00:00",
		"Rollup job bank_daily", "deadline exceeded", "transaction-events",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	if strings.Contains(body, `href="/admin/ingest"`) {
		t.Errorf("ops sees the link to the admins' Ingestion page")
	}
	if strings.Contains(body, "unavailable") {
		t.Errorf("a panel is unavailable with both databases up:\n%s", body)
	}
	links := qualityHelpLink.FindAllStringSubmatch(body, -1)
	if len(links) < 10 {
		t.Errorf("%d help links; want one per tile, panel and own-entry row", len(links))
	}
	seen := map[string]bool{}
	for _, l := range links {
		if _, ok := catalogue.Lookup(l[1]); !ok {
			t.Errorf("the page links to /glossary#%s, which the catalogue does not define", l[1])
		}
		seen[l[1]] = true
	}
	for _, id := range []string{catalogue.IDQualityFreshness, catalogue.IDQualityAccuracy, catalogue.IDQualityQueryP95, catalogue.IDQualityUptime,
		catalogue.IDQualityOutbox, catalogue.IDQualityHeld, catalogue.IDQualityRollupRuns, catalogue.IDQualityDeadLetters} {
		if !seen[id] {
			t.Errorf("no help link to %s", id)
		}
	}
	if strings.Count(body, `class="badge badge-`) < 20 {
		t.Errorf("only %d verdict badges", strings.Count(body, `class="badge badge-`))
	}

	_, admin := qualityPage(t, h, auth.RoleAdmin)
	if !strings.Contains(admin, `href="/admin/ingest"`) {
		t.Errorf("admins get no link to the Ingestion page")
	}
}

// ClickHouse down: its panels (its freshness and the comparison of the stores) say so, the
// PostgreSQL ones show; when it returns, the page recovers by itself.
func TestQualityPageWithClickHouseDown(t *testing.T) {
	db := qualityDB(t)
	seedQualityState(t, db)
	seedQualityStores(t, db)
	proxy := dbtest.NewTCPProxy(t, db.CHOpts.Addr)
	opts := db.CHOpts
	opts.Addr = proxy.Addr()
	ch, err := dbconn.ClickHouse(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.Close() })
	t.Cleanup(func() { proxy.Set(dbtest.LinkDown) })
	proxy.Set(dbtest.LinkDown)
	h := newQuality(db.PG, ch)

	code, body := qualityPage(t, h, auth.RoleExecutive)
	text := html.UnescapeString(body)
	if code != http.StatusOK {
		t.Fatalf("with ClickHouse down: %d", code)
	}
	if n := strings.Count(text, "unavailable — ClickHouse"); n != 3 {
		t.Errorf("%d ClickHouse panels say unavailable; want 3 (the accuracy tile, ClickHouse freshness, the comparison)", n)
	}
	for _, s := range []string{"Rollup job bank_daily", "deadline exceeded", "Payments initiated", "Waiting for ClickHouse", "transaction-events"} {
		if !strings.Contains(text, s) {
			t.Errorf("with ClickHouse down the page lacks %q", s)
		}
	}
	if strings.Contains(text, "PostgreSQL is unreachable") {
		t.Errorf("a PostgreSQL panel is unavailable with only ClickHouse down")
	}

	proxy.Set(dbtest.LinkUp)
	var again string
	for range 20 { // the driver redials on its own
		_, again = qualityPage(t, h, auth.RoleExecutive)
		if !strings.Contains(again, "unavailable") {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if strings.Contains(again, "unavailable") || !strings.Contains(html.UnescapeString(again), "85.71%") {
		t.Errorf("after ClickHouse returned the page did not recover:\n%s", again)
	}
}
