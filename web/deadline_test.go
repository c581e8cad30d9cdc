package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mari/auth"
	"mari/dbtest"
	"mari/finmodel"
)

// scenarioForm is the editor's form of a stored scenario holding the seed plan's values.
func scenarioForm(name, version string) url.Values {
	f := url.Values{"name": {name}, "description": {""}, "version": {version}, "years": {"5"}, "view": {"yearly"}}
	for i, y := range finmodel.SeedPlan().Years {
		for _, dr := range finmodel.Drivers {
			f.Set(fmt.Sprintf("y%d.%s", i+1, dr.Key), dr.Format(dr.Get(y)))
		}
	}
	return f
}

// A write whose request deadline passes before it commits writes nothing: every write handler
// does its work in the request's context and one transaction, so the statement running at
// the deadline is cancelled and the transaction rolls back, the writes it had already made
// with it. Here the audit log is locked, so each request makes its main write, then waits on
// its audit entry until the (shortened) deadline passes. Once the lock is gone the same
// requests succeed, so it was the deadline that stopped them.
func TestWriteCutOffByTheDeadlineWritesNothing(t *testing.T) {
	db := dbtest.New(t)
	params := auth.TestHashParams
	const deadline = time.Second
	e := NewServer(Deps{Config: Config{PanelTimeout: time.Second}, PG: db.PG, CH: db.CH, Now: func() time.Time { return testNow },
		PasswordParams: &params, RequestTimeout: deadline})
	svc := &auth.Service{DB: db.PG, Params: auth.TestHashParams, Now: func() time.Time { return testNow }}
	newAccount(t, svc, "exec@mari.example", auth.RoleExecutive)
	c := newClient(t, e, "192.0.2.70")
	c.mustSignIn("exec@mari.example")
	c.get("/model")
	if r := c.post("/model/seed/clone", url.Values{"name": {"Base case"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("clone: %d", r.StatusCode)
	}
	changed := scenarioForm("Base case", "1")
	changed.Set("y1.users", "700000")
	writes := []struct {
		name string
		send func() response
	}{
		{"scenario save", func() response { return c.post("/model/1", changed) }},
		{"scenario import", func() response {
			return c.postUpload("/model/import", url.Values{"name": {"Imported"}}, "plan.csv", seedAssumptionsCSV())
		}},
		{"incident", func() response {
			return c.post("/incidents", url.Values{"title": {"Card switch down"}, "severity": {"major"}, "started_at": {"2026-03-15T09:30"}})
		}},
		{"report draft", func() response { return c.post("/reports", url.Values{"month": {"2026-02"}}) }},
	}
	state := func() string {
		var s string
		if err := db.PG.QueryRow(context.Background(), `SELECT format('%s scenarios, %s versions, version %s, %s incidents, %s reports, %s audit rows',
			(SELECT count(*) FROM model_scenarios), (SELECT count(*) FROM model_scenario_versions),
			(SELECT version FROM model_scenarios WHERE id = 1), (SELECT count(*) FROM incidents),
			(SELECT count(*) FROM investor_reports), (SELECT count(*) FROM audit_log))`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := state()
	audited := count(t, db, `SELECT count(*) FROM audit_log`)
	if want := fmt.Sprintf("1 scenarios, 1 versions, version 1, 0 incidents, 0 reports, %d audit rows", audited); before != want {
		t.Fatalf("before: %s; want %s", before, want)
	}

	lock, err := db.PG.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(context.Background(), `LOCK TABLE audit_log IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	for _, w := range writes {
		start := time.Now()
		r := w.send()
		took := time.Since(start)
		if r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.Body, "This took longer than 1s and was stopped") ||
			!strings.Contains(r.Body, "<html") {
			t.Errorf("%s with the audit log locked: %d after %s; want 503 with the friendly page\n%.500s", w.name, r.StatusCode, took, r.Body)
		}
		if took < deadline { // it waited for the lock until the deadline, not failing at once
			t.Errorf("%s answered after %s, before its deadline of %s", w.name, took, deadline)
		}
	}
	if err := lock.Rollback(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after := state(); after != before {
		t.Errorf("writes cut off by the deadline left rows behind: %s → %s", before, after)
	}

	c.get("/model/1")
	for _, w := range writes {
		if r := w.send(); r.StatusCode != http.StatusSeeOther {
			t.Errorf("%s once the lock is gone: %d\n%.500s", w.name, r.StatusCode, r.Body)
		}
	}
	if after, want := state(), fmt.Sprintf("2 scenarios, 3 versions, version 2, 1 incidents, 1 reports, %d audit rows", audited+4); after != want {
		t.Errorf("after the writes went through: %s; want %s", after, want)
	}
}
