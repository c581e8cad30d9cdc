package scenarios_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/calendar"
	"mari/dbtest"
	"mari/finmodel"
	"mari/scenarios"
)

var testNow = time.Date(2026, 4, 10, 10, 0, 0, 0, calendar.SAST)

func actor(n int64) auth.Actor {
	return auth.Actor{ID: &n, Email: fmt.Sprintf("exec%d@mari.example", n), IP: fmt.Sprintf("192.0.2.%d", n)}
}

func newService(db *dbtest.DB) *scenarios.Service {
	return scenarios.New(db.PG, func() time.Time { return testNow })
}

// withUsers is the seed plan with year 1's active users set to users.
func withUsers(users int64) finmodel.Assumptions {
	a := finmodel.SeedPlan()
	a.Years[0].Users = decimal.NewFromInt(users)
	return a
}

// state is what the scenario tables hold: scenarios, versions and scenario 1's version, name
// and year-1 users as stored.
func state(t *testing.T, db *dbtest.DB) string {
	t.Helper()
	var s string
	if err := db.PG.QueryRow(context.Background(), `SELECT format('%s scenarios, %s versions, scenario 1: %s',
		(SELECT count(*) FROM model_scenarios), (SELECT count(*) FROM model_scenario_versions),
		coalesce((SELECT format('version %s, %s, users %s', version, name, assumptions->'years'->0->>'users')
		          FROM model_scenarios WHERE id = 1), 'none'))`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func createBase(t *testing.T, db *dbtest.DB, svc *scenarios.Service) int64 {
	t.Helper()
	id, err := svc.Create(context.Background(), actor(7), scenarios.Draft{Name: "Base case", BasedOn: "Seed plan",
		Assumptions: finmodel.SeedPlan(), Summary: "cloned from Seed plan"})
	if err != nil || id != 1 {
		t.Fatalf("create: %d %v", id, err)
	}
	return id
}

func TestCreateSaveAndRestoreEachWriteTheRowAndOneAuditEntry(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	ctx := context.Background()
	id := createBase(t, db, svc)
	if got, want := state(t, db), "1 scenarios, 1 versions, scenario 1: version 1, Base case, users 350000"; got != want {
		t.Errorf("after create: %s; want %s", got, want)
	}
	want := []string{"scenario_created | scenario 1 (Base case) | cloned from Seed plan | by exec7@mari.example (7) from 192.0.2.7 at 2026-04-10 10:00:00"}
	if got := db.AuditTrail(t); !slices.Equal(got, want) {
		t.Errorf("audit after create:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	saved, err := svc.Save(ctx, actor(8), id, scenarios.Edit{BaseVersion: 1, Name: "Upside", Assumptions: withUsers(700_000)})
	if err != nil || saved != (scenarios.Saved{Version: 2}) {
		t.Fatalf("save: %+v %v; want version 2", saved, err)
	}
	if got, want := state(t, db), "1 scenarios, 2 versions, scenario 1: version 2, Upside, users 700000"; got != want {
		t.Errorf("after save: %s; want %s", got, want)
	}
	want = append(want, "scenario_saved | scenario 1 (Upside) | version 2: renamed “Base case” → “Upside”; "+
		"Year 1 active users 350 000 → 700 000 | by exec8@mari.example (8) from 192.0.2.8 at 2026-04-10 10:00:00")
	if got := db.AuditTrail(t); !slices.Equal(got, want) {
		t.Errorf("audit after save:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The same plan again, from the current version: nothing changes, nothing is written.
	again, err := svc.Save(ctx, actor(8), id, scenarios.Edit{BaseVersion: 2, Name: "Upside", Assumptions: withUsers(700_000)})
	if err != nil || again != (scenarios.Saved{Version: 2, Unchanged: true}) {
		t.Errorf("unchanged save: %+v %v; want version 2, unchanged", again, err)
	}

	version, err := svc.Restore(ctx, actor(9), id, 1, 2)
	if err != nil || version != 3 {
		t.Fatalf("restore: %d %v; want version 3", version, err)
	}
	if got, want := state(t, db), "1 scenarios, 3 versions, scenario 1: version 3, Base case, users 350000"; got != want {
		t.Errorf("after restore: %s; want %s", got, want)
	}
	want = append(want, "scenario_restored | scenario 1 (Base case) | version 3: restored version 1: renamed “Upside” → “Base case”; "+
		"Year 1 active users 700 000 → 350 000 | by exec9@mari.example (9) from 192.0.2.9 at 2026-04-10 10:00:00")
	if got := db.AuditTrail(t); !slices.Equal(got, want) {
		t.Errorf("audit after restore:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAStaleVersionIsAConflictAndWritesNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	ctx := context.Background()
	id := createBase(t, db, svc)
	if _, err := svc.Save(ctx, actor(8), id, scenarios.Edit{BaseVersion: 1, Name: "Base case", Assumptions: withUsers(700_000)}); err != nil {
		t.Fatal(err)
	}
	before, audited := state(t, db), len(db.AuditTrail(t))

	// A second editor still on version 1, typing 900 000.
	_, err := svc.Save(ctx, actor(9), id, scenarios.Edit{BaseVersion: 1, Name: "Base case", Assumptions: withUsers(900_000)})
	var conflict scenarios.ConflictError
	if !errors.As(err, &conflict) || conflict.Base != 1 || conflict.Current != 2 || len(conflict.Since) != 1 {
		t.Fatalf("stale save: %v %+v; want a conflict from 1 to 2 with the one version since", err, conflict)
	}
	if v := conflict.Since[0]; v.Version != 2 || v.ChangedByEmail != "exec8@mari.example" || v.Summary != "Year 1 active users 350 000 → 700 000" {
		t.Errorf("the version since: %d by %s: %q", v.Version, v.ChangedByEmail, v.Summary)
	}
	// Even typing exactly what is saved now is refused from a stale version: the editor's
	// page must show what changed before its owner can save over it.
	if _, err := svc.Save(ctx, actor(9), id, scenarios.Edit{BaseVersion: 1, Name: "Base case", Assumptions: withUsers(700_000)}); !errors.As(err, &conflict) {
		t.Errorf("stale unchanged save: %v; want a conflict", err)
	}
	// A form that did not say its version (0), and one naming a version never saved.
	if _, err := svc.Save(ctx, actor(9), id, scenarios.Edit{Name: "Base case", Assumptions: withUsers(900_000)}); !errors.As(err, &conflict) || len(conflict.Since) != 2 {
		t.Errorf("save without a version: %v (%d since); want a conflict listing versions 1 and 2", err, len(conflict.Since))
	}
	if _, err := svc.Save(ctx, actor(9), id, scenarios.Edit{BaseVersion: 5, Name: "Base case", Assumptions: withUsers(900_000)}); !errors.As(err, &conflict) || len(conflict.Since) != 0 {
		t.Errorf("save from version 5: %v (%d since); want a conflict listing nothing", err, len(conflict.Since))
	}
	if _, err := svc.Restore(ctx, actor(9), id, 1, 1); !errors.As(err, &conflict) || conflict.Current != 2 {
		t.Errorf("stale restore: %v; want a conflict", err)
	}
	if after := state(t, db); after != before {
		t.Errorf("stale saves wrote: %s → %s", before, after)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("stale saves wrote %d audit entries", n-audited)
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	ctx := context.Background()
	id := createBase(t, db, svc)
	before, audited := state(t, db), len(db.AuditTrail(t))

	negative := finmodel.SeedPlan()
	negative.Years[2].Users = decimal.NewFromInt(-1)
	for _, c := range []struct {
		name  string
		err   error
		field string
	}{
		{"empty name", firstErr(svc.Create(ctx, actor(7), scenarios.Draft{Name: " ", Assumptions: finmodel.SeedPlan(), Summary: "x"})), "name"},
		{"the seed's name", firstErr(svc.Create(ctx, actor(7), scenarios.Draft{Name: "seed plan", Assumptions: finmodel.SeedPlan(), Summary: "x"})), "name"},
		{"101 characters", firstErr(svc.Create(ctx, actor(7), scenarios.Draft{Name: strings.Repeat("é", 101), Assumptions: finmodel.SeedPlan(), Summary: "x"})), "name"},
		{"NUL in the description", firstErr(svc.Create(ctx, actor(7), scenarios.Draft{Name: "B", Description: "a\x00b", Assumptions: finmodel.SeedPlan(), Summary: "x"})), "description"},
		{"no years", firstErr(svc.Create(ctx, actor(7), scenarios.Draft{Name: "B", Summary: "x"})), "assumptions"},
		{"a based-on of 301 characters", firstErr(svc.Create(ctx, actor(7), scenarios.Draft{Name: "B", BasedOn: strings.Repeat("x", 301), Assumptions: finmodel.SeedPlan(), Summary: "x"})), "based_on"},
		{"negative users", saveErr(svc.Save(ctx, actor(7), id, scenarios.Edit{BaseVersion: 1, Name: "Base case", Assumptions: negative})), "assumptions"},
		{"empty name on save", saveErr(svc.Save(ctx, actor(7), id, scenarios.Edit{BaseVersion: 1, Name: "", Assumptions: finmodel.SeedPlan()})), "name"},
	} {
		var input scenarios.InputError
		if !errors.As(c.err, &input) || input.Field != c.field || input.Msg == "" {
			t.Errorf("%s: %v; want an input error on %s", c.name, c.err, c.field)
		}
	}
	// Another scenario's name, in another case: refused by the database's unique index, and
	// still recognisable as its unique violation.
	_, err := svc.Create(ctx, actor(7), scenarios.Draft{Name: "BASE CASE", Assumptions: finmodel.SeedPlan(), Summary: "x"})
	var taken scenarios.NameTakenError
	var pgErr *pgconn.PgError
	if !errors.As(err, &taken) || !errors.As(err, &pgErr) || pgErr.Code != "23505" ||
		err.Error() != "A scenario called “BASE CASE” already exists (names are compared without regard to case); choose another name." {
		t.Errorf("taken name: %v", err)
	}
	// No such scenario, no such version.
	var missing scenarios.NotFoundError
	if _, err := svc.Save(ctx, actor(7), 99, scenarios.Edit{BaseVersion: 1, Name: "X", Assumptions: finmodel.SeedPlan()}); !errors.As(err, &missing) || missing.ID != 99 {
		t.Errorf("save of scenario 99: %v", err)
	}
	if _, err := svc.Restore(ctx, actor(7), id, 4, 1); !errors.As(err, &missing) || missing.Version != 4 {
		t.Errorf("restore of version 4: %v", err)
	}
	if after := state(t, db); after != before {
		t.Errorf("bad input wrote: %s → %s", before, after)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("bad input wrote %d audit entries", n-audited)
	}
}

func firstErr(_ int64, err error) error          { return err }
func saveErr(_ scenarios.Saved, err error) error { return err }

// Eight editors who all opened version 1 save at the same moment, each a different plan: the
// database lets exactly one through; the other seven are told of the version it made, and
// none of them writes a version, a history line or an audit entry.
func TestConcurrentSavesFromOneVersionLetExactlyOneWin(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	id := createBase(t, db, svc)
	const n = 8
	errs := db.Race(t, n, func(i int) error {
		_, err := svc.Save(context.Background(), actor(int64(10+i)), id,
			scenarios.Edit{BaseVersion: 1, Name: "Base case", Assumptions: withUsers(int64(400_000 + 1000*i))})
		return err
	}, `SELECT 1 FROM model_scenarios WHERE id = $1 FOR UPDATE`, id)
	winner := -1
	for i, err := range errs {
		var conflict scenarios.ConflictError
		switch {
		case err == nil && winner == -1:
			winner = i
		case err == nil:
			t.Errorf("saves %d and %d both won", winner, i)
		case !errors.As(err, &conflict) || conflict.Base != 1 || conflict.Current != 2:
			t.Errorf("save %d: %v; want a conflict from version 1 to 2", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no save won")
	}
	users := 400_000 + 1000*winner
	if got, want := state(t, db), fmt.Sprintf("1 scenarios, 2 versions, scenario 1: version 2, Base case, users %d", users); got != want {
		t.Errorf("after the race: %s; want %s", got, want)
	}
	trail := db.AuditTrail(t)
	want := fmt.Sprintf("scenario_saved | scenario 1 (Base case) | version 2: Year 1 active users 350 000 → %s | by exec%d@mari.example (%d) from 192.0.2.%d at 2026-04-10 10:00:00",
		finmodel.Drivers[0].Format(decimal.NewFromInt(int64(users))), 10+winner, 10+winner, 10+winner)
	if len(trail) != 2 || trail[1] != want {
		t.Errorf("audit after the race:\n%s\nwant the creation and\n%s", strings.Join(trail, "\n"), want)
	}
}

// Eight clones named alike at the same moment: one scenario is made, seven are told the
// name is taken.
func TestConcurrentCreatesOfOneNameMakeOneScenario(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	const n = 8
	errs := db.Race(t, n, func(i int) error {
		_, err := svc.Create(context.Background(), actor(int64(10+i)), scenarios.Draft{Name: "Base case",
			Assumptions: finmodel.SeedPlan(), Summary: "cloned from Seed plan"})
		return err
	}, `LOCK TABLE audit_log IN EXCLUSIVE MODE`)
	won := 0
	for i, err := range errs {
		var taken scenarios.NameTakenError
		switch {
		case err == nil:
			won++
		case !errors.As(err, &taken):
			t.Errorf("create %d: %v; want the name taken", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d creates won; want 1", won)
	}
	if n := db.Count(t, `SELECT count(*) FROM model_scenarios`); n != 1 {
		t.Errorf("%d scenarios; want 1", n)
	}
	if n := len(db.AuditTrail(t)); n != 1 {
		t.Errorf("%d audit entries; want 1", n)
	}
}

// A save still waiting when its context ends writes nothing: the scenario row, its history
// line and its audit entry are one transaction in the caller's context.
func TestASaveCutOffByItsDeadlineWritesNothing(t *testing.T) {
	db := dbtest.New(t)
	svc := newService(db)
	id := createBase(t, db, svc)
	before, audited := state(t, db), len(db.AuditTrail(t))
	release := db.Hold(t, `LOCK TABLE audit_log IN EXCLUSIVE MODE`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := svc.Save(ctx, actor(8), id, scenarios.Edit{BaseVersion: 1, Name: "Base case", Assumptions: withUsers(700_000)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("save past its deadline: %v; want the deadline", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	if _, err := svc.Create(ctx2, actor(8), scenarios.Draft{Name: "Other", Assumptions: finmodel.SeedPlan(), Summary: "x"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("create past its deadline: %v; want the deadline", err)
	}
	release()
	if after := state(t, db); after != before {
		t.Errorf("writes cut off by the deadline left rows: %s → %s", before, after)
	}
	if n := len(db.AuditTrail(t)); n != audited {
		t.Errorf("writes cut off by the deadline left %d audit entries", n-audited)
	}
}
