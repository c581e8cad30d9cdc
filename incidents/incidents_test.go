package incidents_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
	"mari/incidents"
	"mari/queries"
)

var testNow = time.Date(2026, 4, 10, 10, 0, 30, 0, calendar.SAST)

func actor(n int64) auth.Actor {
	return auth.Actor{ID: &n, Email: fmt.Sprintf("ops%d@mari.example", n), IP: fmt.Sprintf("192.0.2.%d", n)}
}

func newService(db *dbtest.DB) *incidents.Service {
	return incidents.New(db.PG, func() time.Time { return testNow })
}

// at is a time on 10 April 2026, SAST.
func at(clock string) time.Time { return dbtest.SAST("2026-04-10 " + clock + ":00") }

func atPtr(clock string) *time.Time { t := at(clock); return &t }

func cardSwitch() queries.Incident {
	return queries.Incident{Title: "Card switch down", Severity: "major", IsOutage: true, StartedAt: at("09:30"),
		Description: "Bank X timed out."}
}

// incidentState is what the incidents table holds, one line per incident.
func incidentState(t *testing.T, db *dbtest.DB) string {
	t.Helper()
	var s string
	if err := db.PG.QueryRow(context.Background(), `SELECT coalesce(string_agg(format('%s v%s %s %s %s %s–%s %s', id, version, title,
		severity, is_outage::text, to_char(started_at AT TIME ZONE 'Africa/Johannesburg', 'HH24:MI:SS'),
		coalesce(to_char(ended_at AT TIME ZONE 'Africa/Johannesburg', 'HH24:MI:SS'), ''), description), '; ' ORDER BY id), 'none')
		FROM incidents`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func record(t *testing.T, svc *incidents.Service, i queries.Incident) int64 {
	t.Helper()
	id, err := svc.Record(context.Background(), actor(7), i)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRecordEndAndEditEachWriteTheRowAndOneAuditEntry(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	ctx := context.Background()
	id := record(t, svc, cardSwitch())
	if got, want := incidentState(t, db), "1 v1 Card switch down major true 09:30:00– Bank X timed out."; got != want {
		t.Errorf("after record: %s; want %s", got, want)
	}
	if err := svc.End(ctx, actor(8), id, atPtr("09:42")); err != nil {
		t.Fatal(err)
	}
	edit := cardSwitch()
	edit.ID, edit.Severity, edit.EndedAt, edit.Description = id, "critical", atPtr("09:42"), "Root cause: expired cert."
	got, err := svc.Edit(ctx, actor(9), edit, 2)
	if err != nil || got != (incidents.Edited{Version: 3}) {
		t.Fatalf("edit: %+v %v; want version 3", got, err)
	}
	// The same values again, from any version, change nothing.
	if got, err := svc.Edit(ctx, actor(9), edit, 1); err != nil || got != (incidents.Edited{Version: 3, Unchanged: true}) {
		t.Errorf("unchanged edit: %+v %v", got, err)
	}
	// Ending without a time ends it now, to the second.
	second := cardSwitch()
	second.Title, second.IsOutage, second.StartedAt = "Slow SMS channel", false, at("09:55")
	id2 := record(t, svc, second)
	if err := svc.End(ctx, actor(8), id2, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := incidentState(t, db), "1 v3 Card switch down critical true 09:30:00–09:42:00 Root cause: expired cert.; "+
		"2 v2 Slow SMS channel major false 09:55:00–10:00:30 Bank X timed out."; got != want {
		t.Errorf("incidents: %s\nwant %s", got, want)
	}
	when := " at 2026-04-10 10:00:30"
	want := []string{
		`incident_recorded | incident 1 | title="Card switch down"; severity=major; outage=true; started_at=2026-04-10 09:30 SAST; ` +
			`ended_at=ongoing; description="Bank X timed out." | by ops7@mari.example (7) from 192.0.2.7` + when,
		`incident_changed | incident 1 | ended: ended_at: ongoing → 2026-04-10 09:42 SAST | by ops8@mari.example (8) from 192.0.2.8` + when,
		`incident_changed | incident 1 | severity: major → critical; description: "Bank X timed out." → "Root cause: expired cert." | ` +
			`by ops9@mari.example (9) from 192.0.2.9` + when,
		`incident_recorded | incident 2 | title="Slow SMS channel"; severity=major; outage=false; started_at=2026-04-10 09:55 SAST; ` +
			`ended_at=ongoing; description="Bank X timed out." | by ops7@mari.example (7) from 192.0.2.7` + when,
		`incident_changed | incident 2 | ended: ended_at: ongoing → 2026-04-10 10:00 SAST | by ops8@mari.example (8) from 192.0.2.8` + when,
	}
	if got := db.AuditTrail(t); !slices.Equal(got, want) {
		t.Errorf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// An edit form opened while the incident was ongoing, saved after someone ended it, would
// make it ongoing again: it is refused, and the incident stays ended.
func TestAStaleVersionIsAConflictAndWritesNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	ctx := context.Background()
	id := record(t, svc, cardSwitch())
	if err := svc.End(ctx, actor(8), id, atPtr("09:42")); err != nil {
		t.Fatal(err)
	}
	before, audited := incidentState(t, db), len(db.AuditTrail(t))
	typed := cardSwitch()
	typed.ID, typed.Title = id, "Card switch down (Bank X)"
	for _, base := range []int{1, 0} {
		_, err := svc.Edit(ctx, actor(9), typed, base)
		var conflict incidents.ConflictError
		if !errors.As(err, &conflict) || conflict.Base != base || conflict.Current != 2 || conflict.Saved.EndedAt == nil {
			t.Fatalf("edit from version %d: %v %+v; want a conflict with the ended version 2", base, err, conflict)
		}
		if got, want := incidents.Changes(conflict.Saved, typed), `title: "Card switch down" → "Card switch down (Bank X)"; ended_at: 2026-04-10 09:42 SAST → ongoing`; got != want {
			t.Errorf("what saving anyway would change: %s; want %s", got, want)
		}
	}
	if after := incidentState(t, db); after != before {
		t.Errorf("stale edits wrote: %s → %s", before, after)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("stale edits wrote %d audit entries", n-audited)
	}
}

func TestBadIncidentsWriteNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	ctx := context.Background()
	id := record(t, svc, cardSwitch())
	if err := svc.End(ctx, actor(8), id, atPtr("09:42")); err != nil {
		t.Fatal(err)
	}
	ongoing := cardSwitch()
	ongoing.StartedAt = at("09:50")
	id2 := record(t, svc, ongoing)
	before, audited := incidentState(t, db), len(db.AuditTrail(t))

	bad := func(change func(i *queries.Incident)) queries.Incident {
		i := cardSwitch()
		change(&i)
		return i
	}
	for _, c := range []struct {
		name   string
		i      queries.Incident
		fields map[string]string
	}{
		{"no title, unknown severity", bad(func(i *queries.Incident) { i.Title, i.Severity = "", "huge" }),
			map[string]string{"title": incidents.MsgTitle, "severity": incidents.MsgSeverity}},
		{"starts in a minute", bad(func(i *queries.Incident) { i.StartedAt = at("10:01") }),
			map[string]string{"started_at": "An incident cannot start in the future (now is 2026-04-10 10:00 SAST)."}},
		{"starts in 1999", bad(func(i *queries.Incident) { i.StartedAt = dbtest.SAST("1999-12-31 23:00:00") }),
			map[string]string{"started_at": incidents.MsgStart}},
		{"ends at its start", bad(func(i *queries.Incident) { i.EndedAt = atPtr("09:30") }),
			map[string]string{"ended_at": "The end (2026-04-10 09:30) must be after the start (2026-04-10 09:30)."}},
		{"ends in the future", bad(func(i *queries.Incident) { i.EndedAt = atPtr("10:05") }),
			map[string]string{"ended_at": "An incident cannot end in the future (now is 2026-04-10 10:00 SAST); leave it empty while it is ongoing."}},
		{"5001 characters", bad(func(i *queries.Incident) { i.Description = strings.Repeat("é", 5001) }),
			map[string]string{"description": incidents.MsgDescription}},
		{"invalid text", bad(func(i *queries.Incident) { i.Title = "\xff" }), map[string]string{"description": incidents.MsgText}},
	} {
		var input incidents.InputError
		if _, err := svc.Record(ctx, actor(7), c.i); !errors.As(err, &input) || !maps.Equal(input.Fields, c.fields) {
			t.Errorf("%s: %v; want %v", c.name, err, c.fields)
		}
	}
	var input incidents.InputError
	var ended incidents.AlreadyEndedError
	var missing incidents.NotFoundError
	if err := svc.End(ctx, actor(8), id, nil); !errors.As(err, &ended) ||
		err.Error() != "This incident already ended at 2026-04-10 09:42 SAST; edit it to change the end." {
		t.Errorf("ending it again: %v", err)
	}
	for _, c := range []struct {
		at  *time.Time
		msg string
	}{
		{atPtr("10:01"), "An incident cannot end in the future (now is 2026-04-10 10:00 SAST)."},
		{atPtr("09:50"), "The end (2026-04-10 09:50) must be after the start (2026-04-10 09:50)."},
		{ptr(dbtest.SAST("2101-01-01 00:00:00")), incidents.MsgEndNow},
	} {
		if err := svc.End(ctx, actor(8), id2, c.at); !errors.As(err, &input) || input.Fields["ended_at"] != c.msg {
			t.Errorf("end at %s: %v; want %q", c.at, err, c.msg)
		}
	}
	if err := svc.End(ctx, actor(8), 99, nil); !errors.As(err, &missing) || missing.ID != 99 {
		t.Errorf("end of incident 99: %v", err)
	}
	nosuch := cardSwitch()
	nosuch.ID = 99
	if _, err := svc.Edit(ctx, actor(8), nosuch, 1); !errors.As(err, &missing) {
		t.Errorf("edit of incident 99: %v", err)
	}
	if after := incidentState(t, db); after != before {
		t.Errorf("bad input wrote: %s → %s", before, after)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("bad input wrote %d audit entries", n-audited)
	}
}

func ptr[T any](v T) *T { return &v }

// Eight people edit the same incident from version 1 at the same moment: one title is saved,
// the other seven are told of the version it made and write nothing.
func TestConcurrentEditsFromOneVersionLetExactlyOneWin(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	id := record(t, svc, cardSwitch())
	const n = 8
	errs := db.Race(t, n, func(k int) error {
		i := cardSwitch()
		i.ID, i.Title = id, fmt.Sprintf("Card switch down, take %d", k)
		_, err := svc.Edit(context.Background(), actor(int64(10+k)), i, 1)
		return err
	}, `SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE`, id)
	winner := -1
	for k, err := range errs {
		var conflict incidents.ConflictError
		switch {
		case err == nil && winner == -1:
			winner = k
		case err == nil:
			t.Errorf("edits %d and %d both won", winner, k)
		case !errors.As(err, &conflict) || conflict.Base != 1 || conflict.Current != 2:
			t.Errorf("edit %d: %v; want a conflict from version 1 to 2", k, err)
		}
	}
	if winner < 0 {
		t.Fatal("no edit won")
	}
	if got, want := incidentState(t, db), fmt.Sprintf("1 v2 Card switch down, take %d major true 09:30:00– Bank X timed out.", winner); got != want {
		t.Errorf("after the race: %s; want %s", got, want)
	}
	if got := db.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'incident_changed'`); got != 1 {
		t.Errorf("%d change audit entries; want 1", got)
	}
}

// Eight people end the same incident at the same moment, each at another minute: it ends
// once, at the winner's time; the other seven are told it already ended then.
func TestConcurrentEndsLetExactlyOneWin(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	id := record(t, svc, cardSwitch())
	const n = 8
	errs := db.Race(t, n, func(k int) error {
		return svc.End(context.Background(), actor(int64(10+k)), id, atPtr(fmt.Sprintf("09:4%d", k)))
	}, `SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE`, id)
	winner := -1
	for k, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Errorf("ends %d and %d both won", winner, k)
			}
			winner = k
		}
	}
	if winner < 0 {
		t.Fatal("no end won")
	}
	for k, err := range errs {
		var ended incidents.AlreadyEndedError
		if k != winner && (!errors.As(err, &ended) || !ended.At.Equal(at(fmt.Sprintf("09:4%d", winner)))) {
			t.Errorf("end %d: %v; want already ended at the winner's 09:4%d", k, err, winner)
		}
	}
	if got, want := incidentState(t, db), fmt.Sprintf("1 v2 Card switch down major true 09:30:00–09:4%d:00 Bank X timed out.", winner); got != want {
		t.Errorf("after the race: %s; want %s", got, want)
	}
	if got := db.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'incident_changed'`); got != 1 {
		t.Errorf("%d change audit entries; want 1", got)
	}
}

// A record or an end still waiting when its context ends writes nothing.
func TestChangesCutOffByTheirDeadlineWriteNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	id := record(t, svc, cardSwitch())
	before, audited := incidentState(t, db), len(db.AuditTrail(t))
	release := db.Hold(t, `LOCK TABLE audit_log IN EXCLUSIVE MODE`)
	for name, write := range map[string]func(ctx context.Context) error{
		"record": func(ctx context.Context) error { _, err := svc.Record(ctx, actor(8), cardSwitch()); return err },
		"end":    func(ctx context.Context) error { return svc.End(ctx, actor(8), id, atPtr("09:42")) },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		if err := write(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s past its deadline: %v; want the deadline", name, err)
		}
		cancel()
	}
	release()
	if after := incidentState(t, db); after != before {
		t.Errorf("writes cut off by the deadline wrote: %s → %s", before, after)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("writes cut off by the deadline wrote %d audit entries", n-audited)
	}
}
