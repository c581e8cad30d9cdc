package main

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"mari/apikeys"
	"mari/dbtest"
)

// `mari api-key create` prints the key as its last line and nothing else on stdout; list shows
// it without its secret; revoke ends it; bad flags say why and write nothing.
func TestAPIKeyCommand(t *testing.T) {
	db := dbtest.New(t)
	dbtest.Bank{Code: "ABSA", Start: "2025-01-01"}.Insert(t, db)
	t.Setenv("MARI_PG_URL", db.PGURL)
	t.Setenv("MARI_API_RATE_LIMIT", "90")
	ctx := context.Background()
	run := func(args ...string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		err := apiKeyCmd(ctx, args, &stdout, &stderr)
		return stdout.String(), stderr.String(), err
	}

	expires := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	out, info, err := run("create", "-name", "treasury", "-scopes", "metrics:read,transactions:read", "-bank", "ABSA", "-expires", expires)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	secret := lines[len(lines)-1]
	if len(lines) != 1 || !strings.HasPrefix(secret, apikeys.Prefix) {
		t.Fatalf("stdout %q: want the key alone", out)
	}
	want := `API key "treasury" created (id 1): metrics:read,transactions:read; bank ABSA only; expires ` + expires + ` 00:00; 90 requests a minute.`
	if !strings.Contains(info, want) || strings.Contains(info, secret) {
		t.Errorf("stderr %q; want %q and not the key", info, want)
	}
	store := apikeys.Store{PG: db.PG}
	k, err := store.Authenticate(ctx, secret)
	if err != nil || k.Name != "treasury" || k.Bank != "ABSA" || k.RatePerMinute != 90 || k.CreatedBy != "command line (mari api-key)" {
		t.Fatalf("the printed key: %+v (%v)", k, err)
	}

	// A key's own rate; a key for every bank may read users.
	if _, _, err := run("create", "-name", "crm", "-scopes", "users:read", "-rate", "5"); err != nil {
		t.Fatal(err)
	}

	keys := func() int { return int(db.Int(t, `SELECT count(*) FROM api_keys`)) }
	audits := func() int { return int(db.Int(t, `SELECT count(*) FROM audit_log`)) }
	beforeKeys, beforeAudits := keys(), audits()
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "-name", "x"}, "-scopes: choose at least one scope"},
		{[]string{"create", "-name", "x", "-scopes", "metrics:write"}, `"metrics:write" is not a scope`},
		{[]string{"create", "-name", "x", "-scopes", "users:read", "-bank", "ABSA"}, "cannot have users:read"},
		{[]string{"create", "-name", "x", "-scopes", "metrics:read", "-bank", "NOPE"}, "no bank partnership"},
		{[]string{"create", "-name", "x", "-scopes", "metrics:read", "-expires", "2020-01-01"}, "must be in the future"},
		{[]string{"create", "-name", "x", "-scopes", "metrics:read", "-expires", "next week"}, "not a date of the form YYYY-MM-DD"},
		{[]string{"create", "-name", "x", "-scopes", "metrics:read", "-rate", "0"}, "-rate: requests per minute"},
		{[]string{"create", "-name", "x", "-scopes", "metrics:read", "-rate", "20000"}, "from 1 to 10000"},
		{[]string{"create", "-name", "treasury", "-scopes", "metrics:read"}, "already named"},
		{[]string{"create", "-name", "x", "-scopes", "metrics:read", "extra"}, `unexpected argument "extra"`},
		{[]string{"revoke", "-id", "abc"}, "-id: a key id"},
		{[]string{"revoke"}, "-id: a key id"},
		{[]string{"rotate"}, "usage: mari api-key"},
	} {
		out, _, err := run(bad.args...)
		if err == nil || !strings.Contains(err.Error(), bad.want) || out != "" {
			t.Errorf("%q: %v, stdout %q; want an error containing %q", bad.args, err, out, bad.want)
		}
	}
	if keys() != beforeKeys || audits() != beforeAudits {
		t.Errorf("refused commands wrote %d keys and %d audit entries", keys()-beforeKeys, audits()-beforeAudits)
	}

	out, _, err = run("list")
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != 3 || !strings.HasPrefix(rows[0], "ID") || !strings.HasPrefix(rows[1], "2 ") || !strings.Contains(rows[1], "crm") ||
		!strings.Contains(rows[2], "treasury") || !strings.Contains(rows[2], "ABSA") || !strings.HasSuffix(rows[2], "live") ||
		strings.Contains(out, secret[len(apikeys.Prefix):]) {
		t.Errorf("list:\n%s", out)
	}

	_, info, err = run("revoke", "-id", strconv.FormatInt(k.ID, 10))
	if err != nil || !strings.Contains(info, "revoked") {
		t.Fatalf("revoke: %v %q", err, info)
	}
	if _, err := store.Authenticate(ctx, secret); !errors.Is(err, apikeys.ErrRevoked) {
		t.Errorf("after revoke: %v", err)
	}
	if _, _, err := run("revoke", "-id", strconv.FormatInt(k.ID, 10)); !errors.Is(err, apikeys.ErrNoSuchKey) {
		t.Errorf("revoke again: %v; want ErrNoSuchKey", err)
	}
	if out, _, _ := run("list"); !strings.Contains(out, "revoked ") {
		t.Errorf("list after revoke:\n%s", out)
	}
}
