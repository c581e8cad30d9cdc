package partnerships_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
	"mari/partnerships"
	"mari/queries"
)

var testNow = time.Date(2026, 4, 10, 10, 0, 0, 0, calendar.SAST)

func actor(n int64) auth.Actor {
	return auth.Actor{ID: &n, Email: fmt.Sprintf("partner%d@mari.example", n), IP: fmt.Sprintf("192.0.2.%d", n)}
}

func newService(db *dbtest.DB) *partnerships.Service {
	return partnerships.New(db.PG, func() time.Time { return testNow })
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// delta is a partnership starting on the 17th, with the bank keeping 25.5 % of the fee.
func delta() queries.Partnership {
	return queries.Partnership{Code: "DELTA_1", Name: "Delta Bank", Status: "pilot", ContractStart: calendar.NewDate(2026, 3, 17),
		MonthlyFee: dec("12500.50"), BankShare: dec("0.2550"), SLAP95ms: 2500}
}

// bankState is what bank_partnerships holds, one line per bank.
func bankState(t *testing.T, db *dbtest.DB) string {
	t.Helper()
	var s string
	if err := db.PG.QueryRow(context.Background(), `SELECT coalesce(string_agg(format('%s v%s %s %s %s–%s fee %s share %s sla %s', bank_code,
		version, bank_name, status, contract_start_date, coalesce(contract_end_date::text, ''), monthly_fee,
		transaction_fee_percentage, sla_p95_ms), '; ' ORDER BY bank_code), 'none') FROM bank_partnerships`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCreateAndEditEachWriteTheRowAndOneAuditEntry(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	ctx := context.Background()
	if err := svc.Create(ctx, actor(7), delta()); err != nil {
		t.Fatal(err)
	}
	if got, want := bankState(t, db), "DELTA_1 v1 Delta Bank pilot 2026-03-17– fee 12500.50 share 0.2550 sla 2500"; got != want {
		t.Errorf("after create: %s; want %s", got, want)
	}
	edit := delta()
	edit.Status, edit.BankShare = "active", dec("0.30")
	end := calendar.NewDate(2027, 3, 16)
	edit.ContractEnd = &end
	got, err := svc.Edit(ctx, actor(8), edit, 1)
	if err != nil || got != (partnerships.Edited{Version: 2}) {
		t.Fatalf("edit: %+v %v; want version 2", got, err)
	}
	if got, want := bankState(t, db), "DELTA_1 v2 Delta Bank active 2026-03-17–2027-03-16 fee 12500.50 share 0.3000 sla 2500"; got != want {
		t.Errorf("after edit: %s; want %s", got, want)
	}
	// The same values again change nothing and write nothing, from the current version or an
	// older one: there is nothing to lose.
	for _, base := range []int{2, 1} {
		if got, err := svc.Edit(ctx, actor(8), edit, base); err != nil || got != (partnerships.Edited{Version: 2, Unchanged: true}) {
			t.Errorf("unchanged edit from version %d: %+v %v", base, got, err)
		}
	}
	at := " at 2026-04-10 10:00:00"
	want := []string{
		`partnership_created | bank DELTA_1 | name="Delta Bank"; status=pilot; contract_start=2026-03-17; contract_end=open-ended; ` +
			`monthly_fee=12500.50; bank_share=25.50%; sla_p95_ms=2500; api_endpoint=none | by partner7@mari.example (7) from 192.0.2.7` + at,
		`partnership_changed | bank DELTA_1 | status: pilot → active; contract_end: open-ended → 2027-03-16; bank_share: 25.50% → 30.00% | ` +
			`by partner8@mari.example (8) from 192.0.2.8` + at,
	}
	if got := db.AuditTrail(t); !slices.Equal(got, want) {
		t.Errorf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAStaleVersionIsAConflictAndWritesNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	ctx := context.Background()
	if err := svc.Create(ctx, actor(7), delta()); err != nil {
		t.Fatal(err)
	}
	first := delta()
	first.MonthlyFee = dec("15000.00")
	if _, err := svc.Edit(ctx, actor(8), first, 1); err != nil {
		t.Fatal(err)
	}
	before, audited := bankState(t, db), len(db.AuditTrail(t))
	// A second manager, whose form still shows version 1, raises the SLA: saving would put
	// the old fee back.
	second := delta()
	second.SLAP95ms = 3000
	for _, base := range []int{1, 0} {
		_, err := svc.Edit(ctx, actor(9), second, base)
		var conflict partnerships.ConflictError
		if !errors.As(err, &conflict) || conflict.Base != base || conflict.Current != 2 || !conflict.Saved.MonthlyFee.Equal(dec("15000")) {
			t.Errorf("edit from version %d: %v %+v; want a conflict with version 2 and its fee", base, err, conflict)
		}
		if got, want := partnerships.Changes(conflict.Saved, second), "monthly_fee: 15000.00 → 12500.50; sla_p95_ms: 2500 → 3000"; got != want {
			t.Errorf("what saving anyway would change: %s; want %s", got, want)
		}
	}
	if after := bankState(t, db); after != before {
		t.Errorf("stale edits wrote: %s → %s", before, after)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("stale edits wrote %d audit entries", n-audited)
	}
}

func TestBadPartnershipsWriteNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	ctx := context.Background()
	if err := svc.Create(ctx, actor(7), delta()); err != nil {
		t.Fatal(err)
	}
	before, audited := bankState(t, db), len(db.AuditTrail(t))
	bad := func(change func(p *queries.Partnership)) queries.Partnership {
		p := delta()
		p.Code = "ECHO"
		change(&p)
		return p
	}
	earlyEnd := calendar.NewDate(2026, 3, 16)
	for _, c := range []struct {
		name   string
		p      queries.Partnership
		fields map[string]string
	}{
		{"lower-case code", bad(func(p *queries.Partnership) { p.Code = "echo" }), map[string]string{"bank_code": partnerships.MsgCode}},
		{"NUL in the name", bad(func(p *queries.Partnership) { p.Name = "Echo\x00Bank" }), map[string]string{"bank_name": partnerships.MsgNameText}},
		{"no name, unknown status", bad(func(p *queries.Partnership) { p.Name, p.Status = "", "closed" }),
			map[string]string{"bank_name": partnerships.MsgName, "status": partnerships.MsgStatus}},
		{"ends before it starts", bad(func(p *queries.Partnership) { p.ContractEnd = &earlyEnd }),
			map[string]string{"contract_end": "The contract cannot end (2026-03-16) before it starts (2026-03-17)."}},
		{"starts in 1999", bad(func(p *queries.Partnership) { p.ContractStart = calendar.NewDate(1999, 12, 31) }),
			map[string]string{"contract_start": partnerships.MsgStartWindow}},
		{"a fee of a tenth of a cent and a share over 100 %", bad(func(p *queries.Partnership) { p.MonthlyFee, p.BankShare = dec("1.005"), dec("1.01") }),
			map[string]string{"monthly_fee": partnerships.MsgMonthlyFee, "bank_share_percent": partnerships.MsgShare}},
		{"a negative fee, an SLA of 99 ms, plain http", bad(func(p *queries.Partnership) {
			p.MonthlyFee, p.SLAP95ms, p.APIEndpoint = dec("-1"), 99, "http://bank.example/api"
		}), map[string]string{"monthly_fee": partnerships.MsgMonthlyFee, "sla_p95_ms": partnerships.MsgSLA, "api_endpoint": partnerships.MsgAPIEndpoint}},
	} {
		var input partnerships.InputError
		if err := svc.Create(ctx, actor(7), c.p); !errors.As(err, &input) || !maps.Equal(input.Fields, c.fields) {
			t.Errorf("%s: %v; want %v", c.name, err, c.fields)
		}
	}
	// An edit is checked the same way, except for the code it cannot change.
	var input partnerships.InputError
	p := delta()
	p.SLAP95ms = 120001
	if _, err := svc.Edit(ctx, actor(7), p, 1); !errors.As(err, &input) || !maps.Equal(input.Fields, map[string]string{"sla_p95_ms": partnerships.MsgSLA}) {
		t.Errorf("edit with an SLA of 120 001 ms: %v", err)
	}
	var taken partnerships.CodeTakenError
	if err := svc.Create(ctx, actor(7), delta()); !errors.As(err, &taken) ||
		err.Error() != "A partnership with the code DELTA_1 already exists; choose another code or edit that one." {
		t.Errorf("duplicate code: %v", err)
	}
	var missing partnerships.NotFoundError
	nosuch := delta()
	nosuch.Code = "NOSUCH"
	if _, err := svc.Edit(ctx, actor(7), nosuch, 1); !errors.As(err, &missing) || missing.Code != "NOSUCH" {
		t.Errorf("edit of NOSUCH: %v", err)
	}
	if after := bankState(t, db); after != before {
		t.Errorf("bad input wrote: %s → %s", before, after)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("bad input wrote %d audit entries", n-audited)
	}
}

// Eight managers who all opened version 1 save different fees at the same moment: one fee is
// saved; the other seven are told of the version it made and write nothing.
func TestConcurrentEditsFromOneVersionLetExactlyOneWin(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	if err := svc.Create(context.Background(), actor(7), delta()); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := db.Race(t, n, func(i int) error {
		p := delta()
		p.MonthlyFee = decimal.NewFromInt(int64(20000 + i))
		_, err := svc.Edit(context.Background(), actor(int64(10+i)), p, 1)
		return err
	}, `SELECT 1 FROM bank_partnerships WHERE bank_code = 'DELTA_1' FOR UPDATE`)
	winner := -1
	for i, err := range errs {
		var conflict partnerships.ConflictError
		switch {
		case err == nil && winner == -1:
			winner = i
		case err == nil:
			t.Errorf("edits %d and %d both won", winner, i)
		case !errors.As(err, &conflict) || conflict.Base != 1 || conflict.Current != 2:
			t.Errorf("edit %d: %v; want a conflict from version 1 to 2", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no edit won")
	}
	if got, want := bankState(t, db), fmt.Sprintf("DELTA_1 v2 Delta Bank pilot 2026-03-17– fee %d.00 share 0.2550 sla 2500", 20000+winner); got != want {
		t.Errorf("after the race: %s; want %s", got, want)
	}
	trail := db.AuditTrail(t)
	want := fmt.Sprintf("partnership_changed | bank DELTA_1 | monthly_fee: 12500.50 → %d.00 | by partner%d@mari.example (%d) from 192.0.2.%d at 2026-04-10 10:00:00",
		20000+winner, 10+winner, 10+winner, 10+winner)
	if len(trail) != 2 || trail[1] != want {
		t.Errorf("audit after the race:\n%s\nwant the creation and\n%s", strings.Join(trail, "\n"), want)
	}
}

// Eight creations of one code at the same moment make one partnership.
func TestConcurrentCreatesOfOneCodeMakeOnePartnership(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	const n = 8
	errs := db.Race(t, n, func(i int) error {
		return svc.Create(context.Background(), actor(int64(10+i)), delta())
	}, `LOCK TABLE audit_log IN EXCLUSIVE MODE`)
	won := 0
	for i, err := range errs {
		var taken partnerships.CodeTakenError
		switch {
		case err == nil:
			won++
		case !errors.As(err, &taken):
			t.Errorf("create %d: %v; want the code taken", i, err)
		}
	}
	if won != 1 || db.Count(t, `SELECT count(*) FROM bank_partnerships`) != 1 || len(db.AuditTrail(t)) != 1 {
		t.Errorf("%d creates won, %s, %d audit entries; want one of each", won, bankState(t, db), len(db.AuditTrail(t)))
	}
}

// An edit still waiting when its context ends writes nothing.
func TestAnEditCutOffByItsDeadlineWritesNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	if err := svc.Create(context.Background(), actor(7), delta()); err != nil {
		t.Fatal(err)
	}
	before, audited := bankState(t, db), len(db.AuditTrail(t))
	release := db.Hold(t, `LOCK TABLE audit_log IN EXCLUSIVE MODE`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	p := delta()
	p.Status = "active"
	if _, err := svc.Edit(ctx, actor(8), p, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("edit past its deadline: %v; want the deadline", err)
	}
	release()
	if after := bankState(t, db); after != before {
		t.Errorf("an edit cut off by the deadline wrote: %s → %s", before, after)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("an edit cut off by the deadline wrote %d audit entries", n-audited)
	}
}
