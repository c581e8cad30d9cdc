package links_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
	"mari/links"
)

var testNow = time.Date(2026, 4, 10, 10, 0, 0, 0, calendar.SAST)

func actor(n int64) auth.Actor {
	return auth.Actor{ID: &n, Email: fmt.Sprintf("staff%d@mari.example", n), IP: fmt.Sprintf("192.0.2.%d", n)}
}

// reportsFixture is report 1, February 2026 version 1, published; and report 2, a draft of
// March.
func reportsFixture(t *testing.T, db *dbtest.DB) *links.Service {
	t.Helper()
	db.Exec(t, `INSERT INTO investor_reports (month, version, status, figures, created_at, updated_at, published_at)
		VALUES ('2026-02-01', 1, 'published', '{}', $1, $1, $1), ('2026-03-01', 1, 'draft', NULL, $1, $1, NULL)`, testNow)
	return links.New(db.PG, func() time.Time { return testNow })
}

// linkState is every report link: id, recipient, expiry (SAST), revoked and replaced by.
func linkState(t *testing.T, db *dbtest.DB) string {
	t.Helper()
	var s string
	if err := db.PG.QueryRow(context.Background(), `SELECT coalesce(string_agg(format('%s %s until %s%s', id, recipient_name,
		to_char(expires_at AT TIME ZONE 'Africa/Johannesburg', 'YYYY-MM-DD HH24:MI'),
		CASE WHEN revoked_at IS NULL THEN '' ELSE ' revoked' || coalesce(' for ' || replaced_by_link_id, '') END), '; ' ORDER BY id), 'none')
		FROM report_links`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func tokenHash(t *testing.T, db *dbtest.DB, table string, id int64) []byte {
	t.Helper()
	var h []byte
	if err := db.PG.QueryRow(context.Background(), `SELECT token_hash FROM `+table+` WHERE id = $1`, id).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestShareRotateAndRevokeEachWriteTheRowAndOneAuditEntry(t *testing.T) {
	db := dbtest.New(t)
	svc := reportsFixture(t, db)
	ctx := context.Background()

	l, err := svc.ShareReport(ctx, actor(7), 1, "  Ann Investor ", 30)
	if err != nil || l.ID != 1 || l.Recipient != "Ann Investor" || len(l.Token) != 43 {
		t.Fatalf("share: %+v %v", l, err)
	}
	// Only the token's hash is stored, and it is the hash the shared page looks up.
	if h, ok := links.ParseToken(l.Token); !ok || !bytes.Equal(h, tokenHash(t, db, "report_links", 1)) || bytes.Contains(h, []byte(l.Token)) {
		t.Errorf("stored hash does not match the token")
	}
	rotated, err := svc.RotateReportLink(ctx, actor(8), 1, 1, 7)
	if err != nil || rotated.ID != 2 || rotated.Replaced != 1 || rotated.Recipient != "Ann Investor" || rotated.Token == l.Token {
		t.Fatalf("rotate: %+v %v", rotated, err)
	}
	if got, want := linkState(t, db), "1 Ann Investor until 2026-05-10 10:00 revoked for 2; 2 Ann Investor until 2026-04-17 10:00"; got != want {
		t.Errorf("links: %s; want %s", got, want)
	}
	if revoked, err := svc.RevokeReportLink(ctx, actor(9), 1, 2); err != nil || !revoked {
		t.Errorf("revoke: %v %v", revoked, err)
	}
	// Revoking again changes nothing and records nothing.
	if revoked, err := svc.RevokeReportLink(ctx, actor(9), 1, 2); err != nil || revoked {
		t.Errorf("second revoke: %v %v; want nothing done", revoked, err)
	}

	d, err := svc.CreateDisplayLink(ctx, actor(10), " Ops room TV ")
	if err != nil || d.ID != 1 || d.Recipient != "Ops room TV" {
		t.Fatalf("display link: %+v %v", d, err)
	}
	if h, ok := links.ParseToken(d.Token); !ok || !bytes.Equal(h, tokenHash(t, db, "display_links", 1)) {
		t.Errorf("stored display hash does not match the token")
	}
	if revoked, err := svc.RevokeDisplayLink(ctx, actor(10), 1); err != nil || !revoked {
		t.Errorf("display revoke: %v %v", revoked, err)
	}
	if revoked, err := svc.RevokeDisplayLink(ctx, actor(10), 1); err != nil || revoked {
		t.Errorf("second display revoke: %v %v; want nothing done", revoked, err)
	}
	at := " at 2026-04-10 10:00:00"
	want := []string{
		"link_created | report 1 (2026-02 v1) | link 1 for Ann Investor, valid 30 days | by staff7@mari.example (7) from 192.0.2.7" + at,
		"link_rotated | report 1 (2026-02 v1) | link 1 for Ann Investor replaced by link 2, valid 7 days | by staff8@mari.example (8) from 192.0.2.8" + at,
		"link_revoked | report 1 (2026-02 v1) | link 2 for Ann Investor | by staff9@mari.example (9) from 192.0.2.9" + at,
		"display_link_created | display link 1 | for Ops room TV | by staff10@mari.example (10) from 192.0.2.10" + at,
		"display_link_revoked | display link 1 | for Ops room TV | by staff10@mari.example (10) from 192.0.2.10" + at,
	}
	if got := db.AuditTrail(t); !slices.Equal(got, want) {
		t.Errorf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRefusedLinksWriteNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := reportsFixture(t, db)
	ctx := context.Background()
	if _, err := svc.ShareReport(ctx, actor(7), 1, "Ann", 30); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RevokeReportLink(ctx, actor(7), 1, 1); err != nil {
		t.Fatal(err)
	}
	before, audited := linkState(t, db), len(db.AuditTrail(t))

	share := func(report int64, recipient string, days int) error {
		_, err := svc.ShareReport(ctx, actor(8), report, recipient, days)
		return err
	}
	rotate := func(link int64) error {
		_, err := svc.RotateReportLink(ctx, actor(8), 1, link, 30)
		return err
	}
	createDisplay := func(name string) error {
		_, err := svc.CreateDisplayLink(ctx, actor(8), name)
		return err
	}
	revokeDisplay := func(id int64) error {
		_, err := svc.RevokeDisplayLink(ctx, actor(8), id)
		return err
	}
	var input links.InputError
	var missing links.NotFoundError
	var conflict links.ConflictError
	for _, c := range []struct {
		name   string
		err    error
		target any
		msg    string
	}{
		{"a draft", share(2, "Ann", 30), &input, "Only a published report can be shared: publish this draft first."},
		{"report 99", share(99, "Ann", 30), &missing, "There is no report 99."},
		{"no recipient", share(1, "  ", 30), &input, "Enter the recipient's name: every link is made for one named person."},
		{"a line break", share(1, "Ann\nBob", 30), &input, "The recipient's name may not contain line breaks or control characters."},
		{"201 characters", share(1, strings.Repeat("a", 201), 30), &input, "The recipient's name is 201 characters long; the limit is 200."},
		{"0 days", share(1, "Ann", 0), &input, "The expiry must be between 1 and 365 days; 0 is not."},
		{"366 days", share(1, "Ann", 366), &input, "The expiry must be between 1 and 365 days; 366 is not."},
		{"a revoked link", rotate(1), &conflict, "Link 1 was revoked; create a new link for Ann instead."},
		{"link 99", rotate(99), &missing, "Report 1 has no link 99."},
		{"an unnamed screen", createDisplay(""), &input, "Enter a name for the screen, such as “Ops room TV”, so the link can be recognised and revoked later."},
		{"display link 99", revokeDisplay(99), &missing, "There is no display link 99."},
	} {
		if !errors.As(c.err, c.target) || c.err.Error() != c.msg {
			t.Errorf("%s: %v; want %T %q", c.name, c.err, c.target, c.msg)
		}
	}
	if after := linkState(t, db); after != before {
		t.Errorf("refusals wrote: %s → %s", before, after)
	}
	if n := db.Count(t, `SELECT count(*) FROM display_links`); n != 0 {
		t.Errorf("refusals made %d display links", n)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("refusals wrote %d audit entries", n-audited)
	}
}

// Eight people rotate the same link at the same moment: one new link replaces it; the other
// seven are told it was revoked, and make no link.
func TestConcurrentRotationsOfOneLinkLetExactlyOneWin(t *testing.T) {
	db := dbtest.New(t)
	svc := reportsFixture(t, db)
	if _, err := svc.ShareReport(context.Background(), actor(7), 1, "Ann", 30); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := db.Race(t, n, func(i int) error {
		_, err := svc.RotateReportLink(context.Background(), actor(int64(10+i)), 1, 1, 30)
		return err
	}, `SELECT 1 FROM report_links WHERE id = 1 FOR UPDATE`)
	won := 0
	for i, err := range errs {
		var conflict links.ConflictError
		switch {
		case err == nil:
			won++
		case !errors.As(err, &conflict) || conflict.Msg != "Link 1 was revoked; create a new link for Ann instead.":
			t.Errorf("rotation %d: %v; want the link revoked", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d rotations won; want 1", won)
	}
	if got := db.Count(t, `SELECT count(*) FROM report_links`); got != 2 {
		t.Errorf("%d links; want the old one and its one replacement", got)
	}
	if got := db.Count(t, `SELECT count(*) FROM report_links WHERE revoked_at IS NULL`); got != 1 {
		t.Errorf("%d active links; want 1", got)
	}
	if got := db.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'link_rotated'`); got != 1 {
		t.Errorf("%d rotation audit entries; want 1", got)
	}
}

// Eight revocations of one display link at the same moment: all succeed, one revokes it and
// is recorded, the rest find it revoked and record nothing.
func TestConcurrentRevocationsRecordOne(t *testing.T) {
	db := dbtest.New(t)
	svc := reportsFixture(t, db)
	if _, err := svc.CreateDisplayLink(context.Background(), actor(7), "Ops room TV"); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var revokedBy atomic.Int32
	errs := db.Race(t, n, func(i int) error {
		revoked, err := svc.RevokeDisplayLink(context.Background(), actor(int64(10+i)), 1)
		if revoked {
			revokedBy.Add(1)
		}
		return err
	}, `SELECT 1 FROM display_links WHERE id = 1 FOR UPDATE`)
	for i, err := range errs {
		if err != nil {
			t.Errorf("revocation %d: %v", i, err)
		}
	}
	if got := revokedBy.Load(); got != 1 {
		t.Errorf("%d revocations say they revoked it; want 1", got)
	}
	if got := db.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'display_link_revoked'`); got != 1 {
		t.Errorf("%d revocation audit entries; want 1", got)
	}
}

// A link still waiting when its context ends is not made: no row, no audit entry.
func TestALinkCutOffByItsDeadlineWritesNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := reportsFixture(t, db)
	release := db.Hold(t, `LOCK TABLE audit_log IN EXCLUSIVE MODE`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := svc.ShareReport(ctx, actor(7), 1, "Ann", 30); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("share past its deadline: %v; want the deadline", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	if _, err := svc.CreateDisplayLink(ctx2, actor(7), "Ops room TV"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("display link past its deadline: %v; want the deadline", err)
	}
	release()
	if n := db.Count(t, `SELECT (SELECT count(*) FROM report_links) + (SELECT count(*) FROM display_links) + (SELECT count(*) FROM audit_log)`); n != 0 {
		t.Errorf("writes cut off by the deadline left %d rows", n)
	}
}
