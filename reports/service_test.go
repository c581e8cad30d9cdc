package reports_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
	"mari/queries"
	"mari/reports"
	"mari/rollup"
)

var serviceNow = time.Date(2026, 4, 10, 10, 0, 0, 0, calendar.SAST)

func serviceActor(n int64) auth.Actor {
	return auth.Actor{ID: &n, Email: fmt.Sprintf("exec%d@mari.example", n), IP: fmt.Sprintf("192.0.2.%d", n)}
}

var february = calendar.NewDate(2026, 2, 1)

// februaryData is two users who signed up on 3 February 2026 and three transactions that
// month: R100.00 and R200.00 completed, R50.00 failed; rolled up from 1 January through
// 10 April, so February is over and final. By hand, February: 3 transactions, completed
// volume R300.00, 2 users in total.
func februaryData(t *testing.T, db *dbtest.DB) {
	t.Helper()
	for _, u := range []string{"a", "b"} {
		db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at, last_active)
			VALUES ($1, $2, $3, 'key', $4, $4)`, userID(u), "phone-"+u, "blood-"+u, dbtest.SAST("2026-02-03 09:00:00"))
	}
	for i, x := range []struct{ from, to, amount, status, at string }{
		{"a", "b", "100.00", "COMPLETED", "2026-02-05 10:00:00"},
		{"a", "b", "50.00", "FAILED", "2026-02-10 10:00:00"},
		{"b", "a", "200.00", "COMPLETED", "2026-02-20 10:00:00"},
	} {
		var reason *string
		if x.status == "FAILED" {
			r := "insufficient_funds"
			reason = &r
		}
		at := dbtest.SAST(x.at)
		db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, created_at,
				completed_at, channel, processing_time_ms, failure_reason)
			VALUES ($1, $2, $3::numeric, $4, $5, $6, $7, 'online', 1000, $8)`,
			userID(x.from), userID(x.to), x.amount, x.status, fmt.Sprintf("service-seal-%d", i), at, at.Add(time.Second), reason)
	}
	err := rollup.New(db.PG, nil, func() time.Time { return serviceNow }).
		Backfill(context.Background(), calendar.NewDate(2026, 1, 1), calendar.NewDate(2026, 4, 10), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
}

func userID(name string) string {
	return "00000000-0000-0000-0000-0000000000" + fmt.Sprintf("%02x", name[0])
}

func newReportService(db *dbtest.DB) *reports.Service {
	return reports.NewService(db.PG, calendar.Date{}, func() time.Time { return serviceNow })
}

// reportState is what investor_reports holds: each report's month, version and status.
func reportState(t *testing.T, db *dbtest.DB) string {
	t.Helper()
	var s string
	if err := db.PG.QueryRow(context.Background(), `SELECT coalesce(string_agg(format('%s: %s v%s %s (%s)', id,
		to_char(month, 'YYYY-MM'), version, status, milestones), '; ' ORDER BY id), 'none') FROM investor_reports`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDraftNarrativeAndPublishEachWriteTheRowAndOneAuditEntry(t *testing.T) {
	db := dbtest.New(t)
	februaryData(t, db)
	svc := newReportService(db)
	ctx := context.Background()

	d, err := svc.StartDraft(ctx, serviceActor(7), february)
	if err != nil || d != (reports.Draft{ID: 1, Version: 1}) {
		t.Fatalf("start: %+v %v", d, err)
	}
	// Starting again opens the same draft and writes nothing.
	if again, err := svc.StartDraft(ctx, serviceActor(8), calendar.NewDate(2026, 2, 17)); err != nil || again != (reports.Draft{ID: 1, Version: 1, Reused: true}) {
		t.Errorf("second start: %+v %v; want draft 1 reused", again, err)
	}
	n := queries.Narrative{Milestones: "Launched in Gqeberha", NextMonthGoals: "Grow"} // 20, 0 and 4 characters
	if err := svc.SaveNarrative(ctx, serviceActor(7), 1, n); err != nil {
		t.Fatal(err)
	}
	f, err := svc.Publish(ctx, serviceActor(9), 1)
	if err != nil {
		t.Fatal(err)
	}
	if f.Current.Transactions != 3 || f.Current.CompletedVolume.StringFixed(2) != "300.00" || f.Current.TotalUsers != 2 {
		t.Errorf("frozen February: %+v; want 3 transactions, R300.00, 2 users", f.Current)
	}
	if got, want := reportState(t, db), "1: 2026-02 v1 published (Launched in Gqeberha)"; got != want {
		t.Errorf("reports: %s; want %s", got, want)
	}
	var frozen []byte
	if err := db.PG.QueryRow(ctx, `SELECT figures FROM investor_reports WHERE id = 1`).Scan(&frozen); err != nil {
		t.Fatal(err)
	}
	stored, err := reports.Unmarshal(frozen)
	if err != nil || !stored.Current.Revenue.Equal(f.Current.Revenue) || stored.Current.Transactions != 3 {
		t.Errorf("stored figures %+v (%v); want those returned", stored.Current, err)
	}
	// A correction: a draft of version 2 starting from version 1's narrative.
	if d, err := svc.StartDraft(ctx, serviceActor(7), february); err != nil || d != (reports.Draft{ID: 2, Version: 2}) {
		t.Errorf("corrected version: %+v %v; want draft 2 of version 2", d, err)
	}
	if got, want := reportState(t, db), "1: 2026-02 v1 published (Launched in Gqeberha); 2: 2026-02 v2 draft (Launched in Gqeberha)"; got != want {
		t.Errorf("reports: %s; want %s", got, want)
	}
	at := "at 2026-04-10 10:00:00"
	want := []string{
		"report_saved | report 1 (2026-02 v1) | new report | by exec7@mari.example (7) from 192.0.2.7 " + at,
		"report_saved | report 1 (2026-02 v1) | narrative saved (20, 0 and 4 characters) | by exec7@mari.example (7) from 192.0.2.7 " + at,
		"report_published | report 1 (2026-02 v1) | figures frozen: volume 300.00, revenue " + f.Current.Revenue.StringFixed(2) +
			", transactions 3, total users 2 | by exec9@mari.example (9) from 192.0.2.9 " + at,
		"report_saved | report 2 (2026-02 v2) | draft of version 2, starting from version 1 | by exec7@mari.example (7) from 192.0.2.7 " + at,
	}
	if got := db.AuditTrail(t); !slices.Equal(got, want) {
		t.Errorf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAPublishedReportRefusesChangesAndWritesNothing(t *testing.T) {
	db := dbtest.New(t)
	februaryData(t, db)
	svc := newReportService(db)
	ctx := context.Background()
	if _, err := svc.StartDraft(ctx, serviceActor(7), february); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, serviceActor(7), 1); err != nil {
		t.Fatal(err)
	}
	april, err := svc.StartDraft(ctx, serviceActor(7), calendar.NewDate(2026, 4, 1))
	if err != nil {
		t.Fatal(err)
	}
	before, audited := reportState(t, db), len(db.AuditTrail(t))

	var conflict reports.ConflictError
	if err := svc.SaveNarrative(ctx, serviceActor(8), 1, queries.Narrative{Milestones: "rewritten"}); !errors.As(err, &conflict) ||
		conflict.Msg != "This report is published and can no longer be edited; start a corrected version instead." {
		t.Errorf("saving a published report: %v", err)
	}
	if _, err := svc.Publish(ctx, serviceActor(8), 1); !errors.As(err, &conflict) || conflict.Msg != "This report is already published." {
		t.Errorf("publishing it again: %v", err)
	}
	if _, err := svc.Publish(ctx, serviceActor(8), april.ID); !errors.As(err, &conflict) ||
		conflict.Msg != "April 2026 has not ended yet: the draft shows figures so far, and it can be published from 2026-05-01." {
		t.Errorf("publishing April on 10 April: %v", err)
	}
	if after := reportState(t, db); after != before {
		t.Errorf("refused changes wrote: %s → %s", before, after)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("refused changes wrote %d audit entries", n-audited)
	}
}

func TestBadReportInputWritesNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := newReportService(db)
	ctx := context.Background()
	if _, err := svc.StartDraft(ctx, serviceActor(7), february); err != nil {
		t.Fatal(err)
	}
	before, audited := reportState(t, db), len(db.AuditTrail(t))
	var input reports.InputError
	for _, c := range []struct {
		month calendar.Date
		msg   string
	}{
		{calendar.NewDate(2026, 5, 1), "2026-05 has not begun yet (this month is 2026-04)."},
		{calendar.NewDate(1999, 12, 1), "1999-12 is before 2000-01; Mari has no data that old."},
	} {
		if _, err := svc.StartDraft(ctx, serviceActor(7), c.month); !errors.As(err, &input) || input.Msg != c.msg {
			t.Errorf("draft of %s: %v; want %q", c.month.MonthKey(), err, c.msg)
		}
	}
	for _, c := range []struct {
		n   queries.Narrative
		msg string
	}{
		{queries.Narrative{Challenges: strings.Repeat("é", 5001)}, "Challenges is 5001 characters long; the limit is 5000. Nothing was saved."},
		{queries.Narrative{NextMonthGoals: "\xff"}, "Next month's goals contains text that is not valid UTF-8."},
	} {
		if err := svc.SaveNarrative(ctx, serviceActor(7), 1, c.n); !errors.As(err, &input) || input.Msg != c.msg {
			t.Errorf("narrative: %v; want %q", err, c.msg)
		}
	}
	var missing reports.NotFoundError
	if err := svc.SaveNarrative(ctx, serviceActor(7), 99, queries.Narrative{}); !errors.As(err, &missing) || err.Error() != "There is no report 99." {
		t.Errorf("narrative of report 99: %v", err)
	}
	if _, err := svc.Publish(ctx, serviceActor(7), 99); !errors.As(err, &missing) {
		t.Errorf("publish of report 99: %v", err)
	}
	if after := reportState(t, db); after != before {
		t.Errorf("bad input wrote: %s → %s", before, after)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("bad input wrote %d audit entries", n-audited)
	}
}

// Eight executives press Publish on the same draft at the same moment: it is published once,
// with one audit entry; the other seven are told it is already published.
func TestConcurrentPublishesLetExactlyOneWin(t *testing.T) {
	db := dbtest.New(t)
	februaryData(t, db)
	svc := newReportService(db)
	if _, err := svc.StartDraft(context.Background(), serviceActor(7), february); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := db.Race(t, n, func(i int) error {
		_, err := svc.Publish(context.Background(), serviceActor(int64(10+i)), 1)
		return err
	}, `SELECT 1 FROM investor_reports WHERE id = 1 FOR UPDATE`)
	won := 0
	for i, err := range errs {
		var conflict reports.ConflictError
		switch {
		case err == nil:
			won++
		case !errors.As(err, &conflict) || conflict.Msg != "This report is already published.":
			t.Errorf("publish %d: %v; want already published", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d publishes won; want 1", won)
	}
	if got := db.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'report_published'`); got != 1 {
		t.Errorf("%d publication audit entries; want 1", got)
	}
	if got, want := reportState(t, db), "1: 2026-02 v1 published ()"; got != want {
		t.Errorf("reports: %s; want %s", got, want)
	}
}

// Eight "new report" posts for one month at the same moment make one draft; the others are
// told someone else started it.
func TestConcurrentDraftStartsMakeOneDraft(t *testing.T) {
	db := dbtest.New(t)
	svc := newReportService(db)
	const n = 8
	errs := db.Race(t, n, func(i int) error {
		_, err := svc.StartDraft(context.Background(), serviceActor(int64(10+i)), february)
		return err
	}, `LOCK TABLE audit_log IN EXCLUSIVE MODE`)
	won := 0
	for i, err := range errs {
		var conflict reports.ConflictError
		switch {
		case err == nil:
			won++
		case !errors.As(err, &conflict) || !strings.HasPrefix(conflict.Msg, "Someone else started a draft of this month"):
			t.Errorf("start %d: %v; want the concurrent-draft conflict", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d starts won; want 1", won)
	}
	// The losers' inserts used up ids, so the winner's id is any of them.
	if got := db.Count(t, `SELECT count(*) FROM investor_reports WHERE month = '2026-02-01' AND version = 1 AND status = 'draft'`); got != 1 ||
		db.Count(t, `SELECT count(*) FROM investor_reports`) != 1 {
		t.Errorf("reports: %s; want one draft of February, version 1", reportState(t, db))
	}
	if got := len(db.AuditTrail(t)); got != 1 {
		t.Errorf("%d audit entries; want 1", got)
	}
}

// A publication still waiting when its context ends writes nothing: the report stays a draft.
func TestAPublicationCutOffByItsDeadlineWritesNothing(t *testing.T) {
	db := dbtest.New(t)
	februaryData(t, db)
	svc := newReportService(db)
	if _, err := svc.StartDraft(context.Background(), serviceActor(7), february); err != nil {
		t.Fatal(err)
	}
	release := db.Hold(t, `LOCK TABLE audit_log IN EXCLUSIVE MODE`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := svc.Publish(ctx, serviceActor(8), 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("publish past its deadline: %v; want the deadline", err)
	}
	release()
	if got, want := reportState(t, db), "1: 2026-02 v1 draft ()"; got != want {
		t.Errorf("reports: %s; want %s", got, want)
	}
	if got := len(db.AuditTrail(t)); got != 1 {
		t.Errorf("%d audit entries; want the draft's 1", got)
	}
}
