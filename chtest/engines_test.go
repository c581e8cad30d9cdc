package chtest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/chtest"
	"mari/dbtest"
	"mari/queries"
)

// streamEvents are initiated events around 04:10:20 SAST on 15 March, the moment the
// operations statements below look from (bank A, online unless said):
//
//	04:10:05, and 04:10:06 at bank B by SMS   the current minute: 2 (bank B: 1)
//	03:59:00, 03:11:00                        in the 60 minutes 03:11–04:10
//	03:10:59                                  one second before them
//	8 March 04:10:00, 04:10:30 (bank B SMS), 04:10:59   the same minute a week earlier: 3 (bank B: 1)
var streamEvents = []chtest.Event{
	{Type: "initiated", At: "2026-03-15 04:10:05"},
	{Type: "initiated", At: "2026-03-15 04:10:06", Bank: "BANKB", Channel: "offline_sms"},
	{Type: "initiated", At: "2026-03-15 03:59:00"},
	{Type: "initiated", At: "2026-03-15 03:11:00"},
	{Type: "initiated", At: "2026-03-15 03:10:59"},
	{Type: "initiated", At: "2026-03-08 04:10:00"},
	{Type: "initiated", At: "2026-03-08 04:10:30", Bank: "BANKB", Channel: "offline_sms"},
	{Type: "initiated", At: "2026-03-08 04:10:59"},
}

// activityRows are app activity in the column order of ch/demo_insert_activity; the newest is
// 05:00 SAST on 15 March (03:00 UTC).
var activityRows = [][]any{
	{uuid.NewSHA1(uuid.NameSpaceOID, []byte("chtest-user-a")), "login", chtest.SAST("2026-03-15 05:00:00"), "android", "1.0.0", "loc1"},
	{uuid.NewSHA1(uuid.NameSpaceOID, []byte("chtest-user-b")), "transaction", chtest.SAST("2026-03-14 12:00:00"), "ios", "1.0.1", "loc2"},
	{uuid.NewSHA1(uuid.NameSpaceOID, []byte("chtest-user-a")), "balance_check", chtest.SAST("2026-02-28 23:30:00"), "android", "1.0.0", "loc1"},
}

func batchInsert(t *testing.T, ch driver.Conn, insert string, rows [][]any) {
	t.Helper()
	batch, err := ch.PrepareBatch(context.Background(), insert)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := batch.Append(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
}

// statementCase runs one of the app's ClickHouse statements the way the app runs it (its Go
// function, or the statement with the app's arguments), so clickhouse-go binds the arguments
// into the text both engines then run.
type statementCase struct {
	name, file string
	run        func(ctx context.Context, ch driver.Conn) error
	want       string                       // the rows, tab-separated, hand-worked; "" to skip
	check      func(t *testing.T, r result) // more checks of the rows, or nil
	// differs, when set, says how 26.7's answer legitimately differs from 18.16's and checks
	// exactly that; otherwise the two must be identical, types and values.
	differs func(t *testing.T, server, embedded result)
}

// nullableScalars: on 26.7 (the analyzer) a scalar subquery is Nullable, as an empty one
// gives NULL; 18.16 types it plainly. The app scans these into plain integers, which
// clickhouse-go allows for any value that is not NULL, and count() never is.
func nullableScalars(t *testing.T, server, embedded result) {
	t.Helper()
	if len(server.Types) != len(embedded.Types) {
		t.Fatalf("types %v and %v", server.Types, embedded.Types)
	}
	for i, typ := range server.Types {
		if embedded.Types[i] != "Nullable("+typ+")" {
			t.Errorf("column %d: 18.16 %s, 26.7 %s; want Nullable(%s)", i, typ, embedded.Types[i], typ)
		}
	}
}

func scanRow(ctx context.Context, ch driver.Conn, file string, args ...any) error {
	rows, err := ch.Query(ctx, queries.SQL(file), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// Every ClickHouse statement the app runs (queries/ch/*.sql) gives the same rows, of the same
// types, on the 18.16 server and on a current ClickHouse (26.7, embedded through chDB), after
// the same migrations and the same hand-worked dataset; and those rows are the numbers worked
// out by hand. What runs on chDB is the exact text clickhouse-go sent to 18.16, with the app's
// arguments bound into it.
func TestAppClickHouseSQLOnBothEngines(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)

	// Both engines read and write DateTime text in the server's zone (the rows below are
	// compared, and written by hand, in UTC).
	var serverZone string
	if err := db.CH.QueryRow(ctx, "SELECT timezone()").Scan(&serverZone); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(serverZone)
	if err != nil {
		t.Fatal(err)
	}
	zone = loc
	chdbExec(t, "SET session_timezone = '"+serverZone+"'")
	if r := chdbQuery(t, "SELECT timezone()"); r.values() != serverZone {
		t.Fatalf("chDB zone %q; the server's is %q", r.values(), serverZone)
	}

	// The dataset, in two inserts on each engine so the pre-aggregations hold unmerged parts.
	events := append(append([]chtest.Event{}, chtest.ProcessingTimeEvents...), streamEvents...)
	rows := make([][]any, len(events))
	for i, e := range events {
		rows[i] = e.Row(i)
	}
	first, second := rows[:len(chtest.ProcessingTimeEvents)], rows[len(chtest.ProcessingTimeEvents):]
	insertEvents, insertActivity := queries.SQL("ch/demo_insert_events"), queries.SQL("ch/demo_insert_activity")

	// On 26.7, a second database gets the events up to 01:30 on 15 March between the
	// migrations before the processing-time histogram and the one that makes and backfills
	// it, as a production database that had events did, and the rest after it: the histogram
	// must come out the same.
	files := migrationFiles(t)
	backfilled := "mari_backfill_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	useDatabase(t, backfilled)
	histogram := slices.IndexFunc(files, func(f string) bool { return strings.HasSuffix(f, "_processing_time_histogram.sql") })
	if histogram < 0 {
		t.Fatal("no migration makes the processing-time histogram")
	}
	applyMigrationFiles(t, files[:histogram])
	chdbExec(t, valuesInsert(insertEvents, rows[:15]))
	applyMigrationFiles(t, files[histogram:])
	chdbExec(t, valuesInsert(insertEvents, rows[15:]))

	embeddedDB := "mari_engines_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	useDatabase(t, embeddedDB)
	applyMigrationFiles(t, files)
	for _, part := range [][][]any{first, second} {
		batchInsert(t, db.CH, insertEvents, part)
		chdbExec(t, valuesInsert(insertEvents, part))
	}
	batchInsert(t, db.CH, insertActivity, activityRows)
	chdbExec(t, valuesInsert(insertActivity, activityRows))

	now := chtest.SAST("2026-03-15 04:10:20")
	minute := chtest.SAST("2026-03-15 04:10:00")
	tpmFrom, tpmTo := chtest.SAST("2026-03-15 03:11:00"), chtest.SAST("2026-03-15 04:11:00")
	dayFrom := chtest.SAST("2026-03-14 04:11:00")
	hourFrom, hourTo := chtest.SAST("2026-03-14 23:00:00"), chtest.SAST("2026-03-15 04:00:00")
	bankB := queries.OpsFilter{Bank: "BANKB"}
	sms := queries.OpsFilter{Channel: "offline_sms"}
	bankBSMS := queries.OpsFilter{Bank: "BANKB", Channel: "offline_sms"}

	cases := []statementCase{
		{name: "ping", file: "ping", want: "1",
			run: func(ctx context.Context, ch driver.Conn) error { return scanRow(ctx, ch, "ch/ping") }},
		// 32 events of the processing-time dataset and 8 initiated ones.
		{name: "admin event count", file: "admin_event_count", want: "40",
			run: func(ctx context.Context, ch driver.Conn) error { return scanRow(ctx, ch, "ch/admin_event_count") }},
		// 40 events and 3 activity rows.
		{name: "demo row count", file: "demo_row_count", want: "43",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.DemoEventRows(ctx, ch)
				return err
			},
			differs: func(t *testing.T, server, embedded result) {
				nullableScalars(t, server, embedded)
				if embedded.values() != server.values() {
					t.Errorf("26.7 counts %s; 18.16 %s", embedded.values(), server.values())
				}
			}},
		// completed 27 (one of 12.34, the rest 10.00), failed 4, initiated 9; every
		// transaction id distinct.
		{name: "demo events check", file: "demo_check_events",
			want: "completed\t27\t272.34\t27\nfailed\t4\t40.00\t4\ninitiated\t9\t90.00\t9",
			run:  func(ctx context.Context, ch driver.Conn) error { return scanRow(ctx, ch, "ch/demo_check_events") },
			// toString of a Decimal keeps its scale's zeros on 18.16 ("40.00") and drops them
			// on 26.7 ("40": output_format_decimal_trailing_zeros is 0 since 21.x). Only the
			// demo's own tests read this statement, on one engine at a time.
			differs: func(t *testing.T, server, embedded result) {
				want := "completed\t27\t272.34\t27\nfailed\t4\t40\t4\ninitiated\t9\t90\t9"
				if embedded.values() != want || strings.Join(embedded.Types, ",") != strings.Join(server.Types, ",") {
					t.Errorf("26.7:\n%s\nwant the same types as 18.16 (%v) and\n%s", embedded, server.Types, want)
				}
			}},
		// A hash has no hand-worked value; 3 activity rows.
		{name: "demo fingerprint", file: "demo_check_fingerprint",
			run: func(ctx context.Context, ch driver.Conn) error { return scanRow(ctx, ch, "ch/demo_check_fingerprint") },
			check: func(t *testing.T, r result) {
				if len(r.Rows) != 1 || r.Rows[0][2] != "3" {
					t.Errorf("fingerprint rows %v; want one row counting 3 activity rows", r.Rows)
				}
			},
			// The fingerprint hashes values' text: the events' amounts are toString(Decimal),
			// "10.00" on 18.16 and "10" on 26.7, so their hash differs between engines (the
			// demo compares it only run against run on one engine); the activity hash, which
			// has no Decimal, agrees. Scalar subqueries: Nullable on 26.7.
			differs: func(t *testing.T, server, embedded result) {
				nullableScalars(t, server, embedded)
				s, e := server.Rows[0], embedded.Rows[0]
				if s[0] == e[0] || s[1] != e[1] || s[2] != e[2] {
					t.Errorf("18.16 %v, 26.7 %v; want the events' hash to differ and the rest to agree", s, e)
				}
			}},
		{name: "demo newest time", file: "demo_check_max_time", want: "2026-03-15 03:00:00",
			run: func(ctx context.Context, ch driver.Conn) error { return scanRow(ctx, ch, "ch/demo_check_max_time") }},
		// 15 March: initiated 01:30 and five of the stream; completed 25 (24 × 10.00 + 12.34);
		// failed 4.
		{name: "executive live today", file: "exec_live_today", want: "6\t25\t4\t252.34",
			run: func(ctx context.Context, ch driver.Conn) error {
				return scanRow(ctx, ch, "ch/exec_live_today", "2026-03-15")
			}},
		// 35 events on 15 March, each its own (minute, type, channel, bank, reason) row; the
		// newest minute 04:10 SAST.
		{name: "executive live last event", file: "exec_live_last_event", want: "35\t2026-03-15 02:10:00",
			run: func(ctx context.Context, ch driver.Conn) error {
				return scanRow(ctx, ch, "ch/exec_live_last_event", "2026-03-15")
			}},
		{name: "ops per minute", file: "ops_per_minute",
			want: "2026-03-15 01:11:00\t1\n2026-03-15 01:59:00\t1\n2026-03-15 02:10:00\t2",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.OpsInitiatedPerMinute(ctx, ch, tpmFrom, tpmTo, queries.OpsFilter{})
				return err
			}},
		{name: "ops per minute, bank B", file: "ops_per_minute", want: "2026-03-15 02:10:00\t1",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.OpsInitiatedPerMinute(ctx, ch, tpmFrom, tpmTo, bankB)
				return err
			}},
		// All 31 final events fall in the 24 hours: failed 00:00:01, 01:06 and 01:30:30 on
		// bank_timeout, 01:42 on insufficient_funds.
		{name: "ops final events", file: "ops_final_by_reason",
			want: "completed\t\t27\nfailed\tbank_timeout\t3\nfailed\tinsufficient_funds\t1",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.OpsFinalEvents(ctx, ch, dayFrom, tpmTo, queries.OpsFilter{})
				return err
			}},
		{name: "ops final events, SMS", file: "ops_final_by_reason",
			want: "completed\t\t3\nfailed\tbank_timeout\t1\nfailed\tinsufficient_funds\t1",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.OpsFinalEvents(ctx, ch, dayFrom, tpmTo, sms)
				return err
			}},
		// The histogram of 23:00–04:00: 26 (hour, millisecond) entries, from which the
		// percentiles worked out beside chtest.ProcessingTimeEvents follow.
		{name: "ops processing time", file: "ops_processing_hourly",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.OpsProcessingHourly(ctx, ch, hourFrom, hourTo, queries.OpsFilter{})
				return err
			},
			check: func(t *testing.T, r result) {
				if len(r.Rows) != 26 {
					t.Errorf("%d histogram entries; want 26", len(r.Rows))
				}
				want := "23:00 n1 5000 5000, 00:00 n2 100 7000, 01:00 n20 900 2918, 02:00 n5 800 1000, 03:00 n1 1234 1234"
				if got := percentilesOf(t, r); got != want {
					t.Errorf("percentiles\n got  %s\n want %s", got, want)
				}
			}},
		// Bank B by SMS, hour 01:00 SAST (23:00 UTC the day before): 450, 1 300, 3 515.
		{name: "ops processing time, bank B by SMS", file: "ops_processing_hourly",
			want: "2026-03-14 23:00:00\t450\t1\n2026-03-14 23:00:00\t1300\t1\n2026-03-14 23:00:00\t3515\t1",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.OpsProcessingHourly(ctx, ch, hourFrom, hourTo, bankBSMS)
				return err
			},
			check: func(t *testing.T, r result) {
				if got := percentilesOf(t, r); got != "01:00 n3 1300 3515" {
					t.Errorf("percentiles %s; want 01:00 n3 1300 3515", got)
				}
			}},
		{name: "ops minute vs last week", file: "ops_minute_vs_week", want: "2\t3",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, _, err := queries.OpsMinuteVsWeek(ctx, ch, minute, queries.OpsFilter{})
				return err
			}},
		{name: "ops minute vs last week, bank B by SMS", file: "ops_minute_vs_week", want: "1\t1",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, _, err := queries.OpsMinuteVsWeek(ctx, ch, minute, bankBSMS)
				return err
			}},
		// 37 (minute, type, channel, bank, reason) rows dated 14 or 15 March, the newest 04:10.
		{name: "ops newest minute", file: "ops_newest_minute", want: "37\t2026-03-15 02:10:00",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, _, err := queries.OpsNewestMinute(ctx, ch, now)
				return err
			}},
		// The data-quality page's days, 8 to 15 March: the 8th the week-old stream's 3
		// initiated; the 14th the two completions of 22:59:59 and 23:59:59 (20.00); the 15th 6
		// initiated (01:30 and five of the stream) and 25 completed (24 × 10.00 + 12.34).
		{name: "quality daily payments", file: "quality_daily_payments",
			want: "2026-03-08\t3\t0\n2026-03-14\t0\t20\n2026-03-15\t6\t252.34",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.QualityDailyPaymentsCH(ctx, ch, calendar.NewDate(2026, 3, 8), calendar.NewDate(2026, 3, 15))
				return err
			}},
		// Dated from 9 March: the 32 events of the processing-time dataset and the stream's 5 of
		// the 15th, the newest 04:10:06 SAST.
		{name: "quality newest transaction event", file: "quality_newest_transaction_event", want: "37\t2026-03-15 02:10:06",
			run: func(ctx context.Context, ch driver.Conn) error {
				return scanRow(ctx, ch, "ch/quality_newest_transaction_event", "2026-03-09")
			}},
		// Dated from 9 March: the activity of the 14th and of 05:00 SAST on the 15th.
		{name: "quality newest activity", file: "quality_newest_activity", want: "2\t2026-03-15 03:00:00",
			run: func(ctx context.Context, ch driver.Conn) error {
				return scanRow(ctx, ch, "ch/quality_newest_activity", "2026-03-09")
			}},
	}

	ch, sent := recordingConn(t, db.CHOpts.Addr, db.Name, db.CHOpts.User, db.CHOpts.Password)
	covered := map[string]bool{"demo_insert_events": true, "demo_insert_activity": true} // the inserts above
	runCases := func(cases []statementCase) {
		for _, c := range cases {
			covered[c.file] = true
			t.Run(c.name, func(t *testing.T) {
				if err := c.run(ctx, ch); err != nil {
					t.Fatalf("on 18.16: %v", err)
				}
				stmts := sent.take()
				if len(stmts) != 1 {
					t.Fatalf("sent %d statements; want 1: %q", len(stmts), stmts)
				}
				stmt := stmts[0]
				if head := textBeforeArguments(queries.SQL("ch/" + c.file)); !strings.HasPrefix(stmt, head) {
					t.Fatalf("sent a statement other than ch/%s:\n%s", c.file, stmt)
				}
				server := serverQuery(t, db.CH, stmt)
				embedded := chdbQuery(t, stmt)
				switch {
				case c.differs != nil:
					c.differs(t, server, embedded)
				case server.String() != embedded.String():
					t.Errorf("the engines disagree on\n%s\n18.16:\n%s\n26.7 (chDB):\n%s", stmt, server, embedded)
				}
				if c.want != "" && server.values() != c.want {
					t.Errorf("rows\n%s\nwant\n%s", server.values(), c.want)
				}
				if c.check != nil {
					c.check(t, server)
					c.check(t, embedded)
				}
				if c.file == "ops_processing_hourly" {
					chdbExec(t, "USE "+backfilled)
					fromBackfill := chdbQuery(t, stmt)
					chdbExec(t, "USE "+embeddedDB)
					if fromBackfill.String() != embedded.String() {
						t.Errorf("26.7, histogram backfilled by the migration:\n%s\nfilled at insert:\n%s", fromBackfill, embedded)
					}
				}
			})
		}
	}
	runCases(cases)

	// Streamed rows, as the ingestion shipper writes them: each with its outbox number. Two
	// transaction events (numbers 7 and 9) and one activity row (4) on 15 March; the demo's
	// rows have 0. A shipper unsure of its last insert asks which numbers are there.
	streamed := [][]any{
		{uuid.NewSHA1(uuid.NameSpaceOID, []byte("stream-e1")), uuid.NewSHA1(uuid.NameSpaceOID, []byte("stream-t1")),
			uuid.NewSHA1(uuid.NameSpaceOID, []byte("chtest-user-a")), "initiated", chtest.SAST("2026-03-15 04:20:00").UTC(),
			decimal.RequireFromString("55.50"), "ZAR", "BANKA", "android", "online", uint32(0), float32(0.1), "", "", uint64(7)},
		{uuid.NewSHA1(uuid.NameSpaceOID, []byte("stream-e2")), uuid.NewSHA1(uuid.NameSpaceOID, []byte("stream-t1")),
			uuid.NewSHA1(uuid.NameSpaceOID, []byte("chtest-user-a")), "completed", chtest.SAST("2026-03-15 04:20:02").UTC(),
			decimal.RequireFromString("55.50"), "ZAR", "BANKA", "android", "online", uint32(2000), float32(0.1), "", "", uint64(9)},
	}
	streamedActivity := [][]any{{uuid.NewSHA1(uuid.NameSpaceOID, []byte("stream-a1")), uuid.NewSHA1(uuid.NameSpaceOID, []byte("chtest-user-a")),
		"login", chtest.SAST("2026-03-15 04:19:00").UTC(), "android", "1.0.0", "loc1", uint64(4)}}
	for _, ins := range []struct {
		file string
		rows [][]any
	}{{"ingest_insert_transaction_events", streamed}, {"ingest_insert_activity", streamedActivity}} {
		batchInsert(t, db.CH, queries.SQL("ch/"+ins.file), ins.rows)
		chdbExec(t, valuesInsert(queries.SQL("ch/"+ins.file), ins.rows))
		covered[ins.file] = true
	}
	day := calendar.NewDate(2026, 3, 15)
	runCases([]statementCase{
		{name: "ingest shipped transaction events", file: "ingest_shipped_transaction_events", want: "7\n9",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.IngestShippedTxEvents(ctx, ch, day, day, 5, 12)
				return err
			}},
		{name: "ingest shipped transaction events, none in range", file: "ingest_shipped_transaction_events", want: "",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.IngestShippedTxEvents(ctx, ch, day, day, 10, 12)
				return err
			}},
		{name: "ingest shipped activity", file: "ingest_shipped_activity", want: "4",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.IngestShippedActivity(ctx, ch, day.AddDays(-1), day, 1, 9)
				return err
			}},
		// The streamed payment counts on the data-quality page like any other: the 15th has 7
		// initiated and 26 completed (252.34 + 55.50).
		{name: "quality daily payments, with streamed rows", file: "quality_daily_payments",
			want: "2026-03-15\t7\t307.84",
			run: func(ctx context.Context, ch driver.Conn) error {
				_, err := queries.QualityDailyPaymentsCH(ctx, ch, day, day)
				return err
			}},
		// The streamed completion counts in the live figures like any other: 26 completed
		// (272.34 + 55.50), the initiated 7.
		{name: "executive live today, with streamed rows", file: "exec_live_today", want: "7\t26\t4\t307.84",
			run: func(ctx context.Context, ch driver.Conn) error {
				return scanRow(ctx, ch, "ch/exec_live_today", "2026-03-15")
			}},
	})

	statements, err := filepath.Glob("../queries/ch/*.sql")
	if err != nil || len(statements) == 0 {
		t.Fatalf("no statements in queries/ch (%v)", err)
	}
	for _, f := range statements {
		if name := strings.TrimSuffix(filepath.Base(f), ".sql"); !covered[name] {
			t.Errorf("queries/ch/%s.sql is run on neither engine here: add a case with its hand-worked answer", name)
		}
	}
}

// textBeforeArguments is a statement's text up to its first placeholder: what clickhouse-go
// sends unchanged.
func textBeforeArguments(sql string) string {
	head, _, _ := strings.Cut(sql, "?")
	return head
}

// percentilesOf reads ch/ops_processing_hourly's rows and picks each hour's p50 and p95 with
// the app's own code, as "hh:mm n p50 p95" (SAST).
func percentilesOf(t *testing.T, r result) string {
	t.Helper()
	var bins []queries.HourBin
	for _, row := range r.Rows {
		hour, err := time.ParseInLocation("2006-01-02 15:04:05", row[0], time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		ms, err1 := strconv.ParseUint(row[1], 10, 32)
		n, err2 := strconv.ParseUint(row[2], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("row %v", row)
		}
		bins = append(bins, queries.HourBin{Hour: hour, MS: uint32(ms), Events: n})
	}
	var out []string
	for _, h := range queries.HourlyPercentiles(bins) {
		out = append(out, fmt.Sprintf("%s n%d %d %d", chtest.SASTClock(h.Hour), h.Events, h.P50, h.P95))
	}
	return strings.Join(out, ", ")
}
