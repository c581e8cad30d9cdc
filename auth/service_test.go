package auth

import (
	"context"
	"errors"
	"testing"

	"mari/dbtest"
	"mari/queries"
)

func TestDemoAccountAndCreate(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	s := &Service{DB: db.PG, Params: TestHashParams}
	cli := Actor{Email: "command line"}

	first, err := s.EnsureDemoAccount(ctx, cli)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.EnsureDemoAccount(ctx, cli)
	if err != nil {
		t.Fatal(err)
	}
	if first == second || len(second) < 16 {
		t.Errorf("demo passwords %q then %q: want a new one of at least 16 characters each time", first, second)
	}
	if _, err := s.SignIn(ctx, DemoEmail, first, "127.0.0.1"); !errors.Is(err, ErrWrongCredentials) {
		t.Errorf("the previous demo password still works: %v", err)
	}
	a, err := s.SignIn(ctx, DemoEmail, second, "127.0.0.1")
	if err != nil || a.Role != RoleExecutive || a.MustChangePassword {
		t.Errorf("demo sign-in: %+v %v; want an executive without a forced change", a, err)
	}
	rows, err := queries.ListAccounts(ctx, db.PG)
	if err != nil || len(rows) != 1 {
		t.Fatalf("accounts: %d %v; want exactly the demo account", len(rows), err)
	}

	// create refuses an existing email (any case) and writes nothing.
	if _, _, err := s.Create(ctx, cli, "DEMO@mari.example", "", RoleAdmin); !errors.Is(err, ErrEmailTaken) {
		t.Errorf("duplicate create: %v", err)
	}
	admin, pw, err := s.Create(ctx, cli, "boss@mari.example", "The Boss", RoleAdmin)
	if err != nil || len(pw) < 16 || !admin.MustChangePassword {
		t.Fatalf("create: %+v %q %v", admin, pw, err)
	}
	if got, err := s.SignIn(ctx, "boss@mari.example", pw, "127.0.0.1"); err != nil || !got.MustChangePassword {
		t.Errorf("one-time password sign-in: %+v %v", got, err)
	}
	var n int
	if err := db.PG.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'account_created' AND actor_email = 'command line'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d account_created rows by the command line; want 2 (demo, boss)", n)
	}
}
