package apikeys_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mari/apikeys"
	"mari/auth"
	"mari/dbconn"
	"mari/dbtest"
)

// clock is a settable Now for a Store.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.at = t }

var admin = auth.Actor{Email: "admin@mari.example", IP: "192.0.2.1"}

func newStore(t *testing.T) (*dbtest.DB, apikeys.Store, *clock) {
	t.Helper()
	db := dbtest.New(t)
	c := &clock{at: dbtest.SAST("2026-03-10 10:15:30")}
	return db, apikeys.Store{PG: db.PG, Now: c.Now}, c
}

func create(t *testing.T, s apikeys.Store, nk apikeys.NewKey) (string, apikeys.Key) {
	t.Helper()
	secret, k, err := s.Create(context.Background(), nk, admin)
	if err != nil {
		t.Fatalf("create %+v: %v", nk, err)
	}
	return secret, k
}

func ptr(t time.Time) *time.Time { return &t }

// A key is made, shown once, stored as its hash only, audited without its secret, and
// authenticates as itself.
func TestCreateThenAuthenticate(t *testing.T) {
	db, s, _ := newStore(t)
	ctx := context.Background()
	secret, k, err := s.Create(ctx, apikeys.NewKey{Name: "  treasury-reporting ", Scopes: []apikeys.Scope{apikeys.BanksRead, apikeys.MetricsRead, apikeys.BanksRead}}, admin)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, apikeys.Prefix) || len(secret) != len(apikeys.Prefix)+43 {
		t.Errorf("secret %q: want %s and 43 base64url characters", secret, apikeys.Prefix)
	}
	if k.ID == 0 || k.Name != "treasury-reporting" || !slices.Equal(k.Scopes, []apikeys.Scope{apikeys.MetricsRead, apikeys.BanksRead}) ||
		k.Bank != "" || k.RatePerMinute != 120 || k.CreatedBy != admin.Email || k.ExpiresAt != nil || !k.CreatedAt.Equal(dbtest.SAST("2026-03-10 10:15:30")) {
		t.Errorf("created %+v", k)
	}

	got, err := s.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != k.ID || got.Name != k.Name || !slices.Equal(got.Scopes, k.Scopes) || got.RatePerMinute != 120 ||
		!got.Has(apikeys.MetricsRead) || got.Has(apikeys.UsersRead) || got.Uses != 0 || got.LastUsedAt != nil {
		t.Errorf("authenticated %+v; want %+v", got, k)
	}

	// Only the hash is stored, and the secret appears nowhere: not in the row, not in the audit log.
	sum := sha256.Sum256([]byte(secret))
	var stored []byte
	if err := db.PG.QueryRow(ctx, `SELECT key_hash FROM api_keys WHERE id = $1`, k.ID).Scan(&stored); err != nil || !bytes.Equal(stored, sum[:]) {
		t.Errorf("key_hash %x (%v); want sha256 %x", stored, err, sum)
	}
	if n := db.Int(t, `SELECT count(*) FROM api_keys k WHERE strpos(k::text, $1) > 0`, secret[len(apikeys.Prefix):]); n != 0 {
		t.Errorf("the secret is stored in %d rows", n)
	}
	if n := db.Int(t, `SELECT count(*) FROM audit_log a WHERE strpos(a::text, $1) > 0`, secret[len(apikeys.Prefix):]); n != 0 {
		t.Errorf("the secret is in %d audit entries", n)
	}
	detail := db.Text(t, `SELECT action || ' ' || target || ' ' || actor_email || ' ' || detail FROM audit_log`)
	want := "api_key_created api key " + strconv.FormatInt(k.ID, 10) + " admin@mari.example name=treasury-reporting; scopes=metrics:read,banks:read; bank=all banks; expires=never; rate=120/min"
	if detail != want {
		t.Errorf("audit entry %q; want %q", detail, want)
	}

	list, err := s.List(ctx)
	if err != nil || len(list) != 1 || list[0].ID != k.ID || !list[0].Live(time.Now()) {
		t.Errorf("list %+v (%v)", list, err)
	}

	// The Store's default rate (MARI_API_RATE_LIMIT) applies to a key without its own; a
	// key's own rate wins.
	s.DefaultRate = 30
	if _, k := create(t, s, apikeys.NewKey{Name: "default-rate", Scopes: []apikeys.Scope{apikeys.MetricsRead}}); k.RatePerMinute != 30 {
		t.Errorf("default rate: %d; want 30", k.RatePerMinute)
	}
	if _, k := create(t, s, apikeys.NewKey{Name: "own-rate", Scopes: []apikeys.Scope{apikeys.MetricsRead}, RatePerMinute: 7}); k.RatePerMinute != 7 {
		t.Errorf("own rate: %d; want 7", k.RatePerMinute)
	}
	// Newest first.
	list, _ = s.List(ctx)
	var names []string
	for _, k := range list {
		names = append(names, k.Name)
	}
	if !slices.Equal(names, []string{"own-rate", "default-rate", "treasury-reporting"}) {
		t.Errorf("list order %q", names)
	}
}

// Anything but a stored key is unknown, whatever its shape.
func TestAuthenticateRefusesWrongSecrets(t *testing.T) {
	_, s, _ := newStore(t)
	ctx := context.Background()
	secret, _ := create(t, s, apikeys.NewKey{Name: "k", Scopes: []apikeys.Scope{apikeys.MetricsRead}})
	flipped := []byte(secret)
	if flipped[len(flipped)-1] == 'A' {
		flipped[len(flipped)-1] = 'B'
	} else {
		flipped[len(flipped)-1] = 'A'
	}
	for _, bad := range []string{"", "mari_api_", apikeys.Prefix + strings.Repeat("A", 43), string(flipped), secret + "A",
		secret[:len(secret)-1], "mari_ingest_" + secret[len(apikeys.Prefix):], strings.ToUpper(secret), " " + secret} {
		if _, err := s.Authenticate(ctx, bad); !errors.Is(err, apikeys.ErrUnknownKey) {
			t.Errorf("Authenticate(%q): %v; want ErrUnknownKey", bad, err)
		}
	}
}

// A revoked key is refused at once, by Authenticate and by Admit; its name is free again.
func TestRevokedKey(t *testing.T) {
	db, s, _ := newStore(t)
	ctx := context.Background()
	secret, k := create(t, s, apikeys.NewKey{Name: "partner", Scopes: []apikeys.Scope{apikeys.MetricsRead}})
	if err := s.Revoke(ctx, k.ID, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret); !errors.Is(err, apikeys.ErrRevoked) {
		t.Errorf("revoked key: %v; want ErrRevoked", err)
	}
	// A request authenticated just before the revocation is refused when it is admitted.
	if _, err := s.Admit(ctx, k); !errors.Is(err, apikeys.ErrRevoked) {
		t.Errorf("Admit of a revoked key: %v; want ErrRevoked", err)
	}
	if n := db.Int(t, `SELECT uses + refused FROM api_keys WHERE id = $1`, k.ID); n != 0 {
		t.Errorf("a revoked key's request was counted: %d", n)
	}
	if err := s.Revoke(ctx, k.ID, admin); !errors.Is(err, apikeys.ErrNoSuchKey) {
		t.Errorf("second revoke: %v; want ErrNoSuchKey", err)
	}
	if err := s.Revoke(ctx, 999999, admin); !errors.Is(err, apikeys.ErrNoSuchKey) {
		t.Errorf("revoke of no key: %v; want ErrNoSuchKey", err)
	}
	if got := db.Text(t, `SELECT string_agg(action || ' ' || target || ' ' || detail, ' | ' ORDER BY id) FROM audit_log WHERE action = 'api_key_revoked'`); got != "api_key_revoked api key "+strconv.FormatInt(k.ID, 10)+" name=partner" {
		t.Errorf("revocation audit: %q", got)
	}
	list, _ := s.List(ctx)
	if len(list) != 1 || list[0].RevokedAt == nil || list[0].Live(time.Now()) {
		t.Errorf("list after revoke: %+v", list)
	}
	secret2, k2 := create(t, s, apikeys.NewKey{Name: "partner", Scopes: []apikeys.Scope{apikeys.MetricsRead}})
	if got, err := s.Authenticate(ctx, secret2); err != nil || got.ID != k2.ID {
		t.Errorf("successor: %+v (%v)", got, err)
	}
}

// A key works until its expiry and not from it; Expire moves the expiry or ends the key now.
func TestExpiredKey(t *testing.T) {
	db, s, c := newStore(t)
	ctx := context.Background()
	start := c.Now()
	expires := start.Add(time.Hour)
	secret, k := create(t, s, apikeys.NewKey{Name: "temp", Scopes: []apikeys.Scope{apikeys.MetricsRead}, ExpiresAt: &expires})
	if k.ExpiresAt == nil || !k.ExpiresAt.Equal(expires) {
		t.Fatalf("expiry %v", k.ExpiresAt)
	}
	c.Set(expires.Add(-time.Second))
	if _, err := s.Authenticate(ctx, secret); err != nil {
		t.Errorf("a second before its expiry: %v", err)
	}
	c.Set(expires)
	if _, err := s.Authenticate(ctx, secret); !errors.Is(err, apikeys.ErrExpired) {
		t.Errorf("at its expiry: %v; want ErrExpired", err)
	}
	if _, err := s.Admit(ctx, k); !errors.Is(err, apikeys.ErrExpired) {
		t.Errorf("Admit at its expiry: %v; want ErrExpired", err)
	}

	// Extended by an admin, it works again until the new expiry.
	later := expires.Add(24 * time.Hour)
	if err := s.Expire(ctx, k.ID, later, admin); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Authenticate(ctx, secret); err != nil || !got.ExpiresAt.Equal(later) {
		t.Errorf("after the new expiry was set: %+v (%v)", got, err)
	}
	// A time in the past expires it now, not at that time.
	c.Set(expires.Add(time.Hour))
	if err := s.Expire(ctx, k.ID, start.Add(-48*time.Hour), admin); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret); !errors.Is(err, apikeys.ErrExpired) {
		t.Errorf("expired at once: %v; want ErrExpired", err)
	}
	list, _ := s.List(ctx)
	if len(list) != 1 || !list[0].ExpiresAt.Equal(c.Now()) {
		t.Errorf("expired at once: expiry %v; want now %v", list[0].ExpiresAt, c.Now())
	}
	// Expiring an expired key again changes nothing and records nothing.
	before := db.Int(t, `SELECT count(*) FROM audit_log`)
	c.Set(c.Now().Add(time.Minute))
	if err := s.Expire(ctx, k.ID, c.Now(), admin); err != nil {
		t.Fatal(err)
	}
	if after := db.Int(t, `SELECT count(*) FROM audit_log`); after != before {
		t.Errorf("re-expiring wrote %d audit entries", after-before)
	}
	if got := db.Text(t, `SELECT string_agg(detail, ' | ' ORDER BY id) FROM audit_log WHERE action = 'api_key_expiry_set'`); got !=
		"name=temp; expires: 2026-03-10 11:15 SAST → 2026-03-11 11:15 SAST | name=temp; expires: 2026-03-11 11:15 SAST → 2026-03-10 12:15 SAST (expired at once)" {
		t.Errorf("expiry audit: %q", got)
	}

	// Too far ahead, or a key that does not exist or is revoked.
	var input apikeys.InputError
	if err := s.Expire(ctx, k.ID, c.Now().AddDate(2, 0, 1), admin); !errors.As(err, &input) || !strings.Contains(input.Msg, "at most 2 years") {
		t.Errorf("3 years ahead: %v; want an InputError", err)
	}
	if err := s.Expire(ctx, 999999, later, admin); !errors.Is(err, apikeys.ErrNoSuchKey) {
		t.Errorf("no such key: %v", err)
	}
	if err := s.Revoke(ctx, k.ID, admin); err != nil {
		t.Fatal(err)
	}
	if err := s.Expire(ctx, k.ID, c.Now().Add(time.Hour), admin); !errors.Is(err, apikeys.ErrNoSuchKey) {
		t.Errorf("expiry of a revoked key: %v; want ErrNoSuchKey", err)
	}
}

func TestParseScopes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []apikeys.Scope
		err  string
	}{
		{"metrics:read,users:read", []apikeys.Scope{apikeys.MetricsRead, apikeys.UsersRead}, ""},
		{" transactions:read , METRICS:READ,,metrics:read ", []apikeys.Scope{apikeys.MetricsRead, apikeys.TransactionsRead}, ""},
		{"banks:read", []apikeys.Scope{apikeys.BanksRead}, ""},
		{"metrics:read,users:read,banks:read,transactions:read", apikeys.Scopes, ""},
		{"", nil, "choose at least one scope: metrics:read, users:read, banks:read, transactions:read"},
		{" , ", nil, "choose at least one scope: metrics:read, users:read, banks:read, transactions:read"},
		{"metrics:write", nil, `"metrics:write" is not a scope; the scopes are metrics:read, users:read, banks:read, transactions:read`},
		{"metrics:read,admin", nil, `"admin" is not a scope; the scopes are metrics:read, users:read, banks:read, transactions:read`},
	} {
		got, err := apikeys.ParseScopes(c.in)
		var input apikeys.InputError
		switch {
		case c.err == "" && (err != nil || !slices.Equal(got, c.want)):
			t.Errorf("ParseScopes(%q) = %q, %v; want %q", c.in, got, err, c.want)
		case c.err != "" && (!errors.As(err, &input) || input.Msg != c.err):
			t.Errorf("ParseScopes(%q) error %v; want InputError %q", c.in, err, c.err)
		}
	}
}

// A key may be restricted to an existing bank, but then it cannot read users.
func TestBankRestriction(t *testing.T) {
	db, s, _ := newStore(t)
	ctx := context.Background()
	dbtest.Bank{Code: "ABSA", Start: "2025-01-01"}.Insert(t, db)
	secret, k := create(t, s, apikeys.NewKey{Name: "absa-feed", Scopes: []apikeys.Scope{apikeys.MetricsRead, apikeys.TransactionsRead}, Bank: " absa "})
	if k.Bank != "ABSA" {
		t.Errorf("bank %q; want the stored code ABSA", k.Bank)
	}
	var input apikeys.InputError
	_, _, err := s.Create(ctx, apikeys.NewKey{Name: "absa-users", Scopes: []apikeys.Scope{apikeys.MetricsRead, apikeys.UsersRead}, Bank: "ABSA"}, admin)
	if !errors.As(err, &input) || !strings.Contains(input.Msg, "users:read") || !strings.Contains(input.Msg, "profile is not one bank's figure") {
		t.Errorf("bank key with users:read: %v; want an InputError that says why", err)
	}
	_, _, err = s.Create(ctx, apikeys.NewKey{Name: "nobank", Scopes: []apikeys.Scope{apikeys.MetricsRead}, Bank: "NOPE"}, admin)
	if !errors.As(err, &input) || input.Msg != `there is no bank partnership with the code "NOPE"` {
		t.Errorf("unknown bank: %v", err)
	}
	// The database holds the same rule, whoever writes the row.
	if _, err := db.PG.Exec(ctx, `UPDATE api_keys SET scopes = scopes || '{users:read}' WHERE id = $1`, k.ID); err == nil {
		t.Errorf("the table accepted users:read on a bank key")
	}
	// A partnership's code changing carries its keys along.
	db.Exec(t, `UPDATE bank_partnerships SET bank_code = 'ABSA2' WHERE bank_code = 'ABSA'`)
	if got, err := s.Authenticate(ctx, secret); err != nil || got.Bank != "ABSA2" {
		t.Errorf("after the code changed: %+v (%v)", got, err)
	}
	if n := db.Int(t, `SELECT count(*) FROM api_keys`); n != 1 {
		t.Errorf("%d keys; want only absa-feed", n)
	}
}

// A name belongs to one key until that key is revoked, even after it has expired.
func TestDuplicateLiveName(t *testing.T) {
	db, s, c := newStore(t)
	ctx := context.Background()
	expires := c.Now().Add(time.Hour)
	_, k := create(t, s, apikeys.NewKey{Name: "dash", Scopes: []apikeys.Scope{apikeys.MetricsRead}, ExpiresAt: &expires})
	var input apikeys.InputError
	if _, _, err := s.Create(ctx, apikeys.NewKey{Name: "dash", Scopes: []apikeys.Scope{apikeys.BanksRead}}, admin); !errors.As(err, &input) ||
		input.Msg != `a live key is already named "dash": choose another name, or revoke that key first` {
		t.Errorf("duplicate name: %v", err)
	}
	c.Set(expires.Add(time.Minute))
	if _, _, err := s.Create(ctx, apikeys.NewKey{Name: "dash", Scopes: []apikeys.Scope{apikeys.BanksRead}}, admin); !errors.As(err, &input) ||
		input.Msg != `the expired key `+strconv.FormatInt(k.ID, 10)+` still holds the name "dash": revoke it to reuse the name, or choose another` {
		t.Errorf("name of an expired key: %v", err)
	}
	if n := db.Int(t, `SELECT count(*) FROM api_keys`); n != 1 {
		t.Errorf("%d keys after the refused creates; want 1", n)
	}
	if err := s.Revoke(ctx, k.ID, admin); err != nil {
		t.Fatal(err)
	}
	create(t, s, apikeys.NewKey{Name: "dash", Scopes: []apikeys.Scope{apikeys.BanksRead}})
}

// Every refused create says why and writes nothing: no key, no audit entry.
func TestBadInputWritesNothing(t *testing.T) {
	db, s, c := newStore(t)
	ctx := context.Background()
	dbtest.Bank{Code: "FNB", Start: "2025-01-01"}.Insert(t, db)
	create(t, s, apikeys.NewKey{Name: "taken", Scopes: []apikeys.Scope{apikeys.MetricsRead}})
	keys, audits := db.Int(t, `SELECT count(*) FROM api_keys`), db.Int(t, `SELECT count(*) FROM audit_log`)
	metrics := []apikeys.Scope{apikeys.MetricsRead}
	now := c.Now()
	for _, c := range []struct {
		nk   apikeys.NewKey
		want string
	}{
		{apikeys.NewKey{Name: "", Scopes: metrics}, "name the key"},
		{apikeys.NewKey{Name: "   ", Scopes: metrics}, "name the key"},
		{apikeys.NewKey{Name: strings.Repeat("é", 101), Scopes: metrics}, "the name is 101 characters; at most 100"},
		{apikeys.NewKey{Name: "tab\there", Scopes: metrics}, "control characters"},
		{apikeys.NewKey{Name: "no-scope"}, "choose at least one scope"},
		{apikeys.NewKey{Name: "bad-scope", Scopes: []apikeys.Scope{"metrics:write"}}, `"metrics:write" is not a scope`},
		{apikeys.NewKey{Name: "bank-users", Scopes: []apikeys.Scope{apikeys.UsersRead}, Bank: "FNB"}, "cannot have users:read"},
		{apikeys.NewKey{Name: "no-bank", Scopes: metrics, Bank: "XYZ"}, "no bank partnership"},
		{apikeys.NewKey{Name: "past", Scopes: metrics, ExpiresAt: ptr(now.Add(-time.Second))}, "must be in the future"},
		{apikeys.NewKey{Name: "now", Scopes: metrics, ExpiresAt: ptr(now)}, "must be in the future"},
		{apikeys.NewKey{Name: "far", Scopes: metrics, ExpiresAt: ptr(now.AddDate(2, 0, 0).Add(time.Second))}, "at most 2 years ahead (by 2028-03-10)"},
		{apikeys.NewKey{Name: "slow", Scopes: metrics, RatePerMinute: -1}, "from 1 to 10000"},
		{apikeys.NewKey{Name: "fast", Scopes: metrics, RatePerMinute: 10001}, "from 1 to 10000"},
		{apikeys.NewKey{Name: "taken", Scopes: metrics}, "already named"},
		{apikeys.NewKey{Name: " taken ", Scopes: metrics}, "already named"},
	} {
		_, _, err := s.Create(ctx, c.nk, admin)
		var input apikeys.InputError
		if !errors.As(err, &input) || !strings.Contains(input.Msg, c.want) {
			t.Errorf("%+v: %v; want an InputError containing %q", c.nk, err, c.want)
		}
	}
	if k, a := db.Int(t, `SELECT count(*) FROM api_keys`), db.Int(t, `SELECT count(*) FROM audit_log`); k != keys || a != audits {
		t.Errorf("refused creates wrote %d keys and %d audit entries", k-keys, a-audits)
	}
	// The limits themselves are allowed.
	create(t, s, apikeys.NewKey{Name: strings.Repeat("é", 100), Scopes: metrics, ExpiresAt: ptr(now.AddDate(2, 0, 0)), RatePerMinute: 10000})
	create(t, s, apikeys.NewKey{Name: "one", Scopes: metrics, RatePerMinute: 1})
}

// The limit holds when many requests of one key arrive at once, at several instances of the
// app: the count lives in the key's row, so exactly rate of them get through, whichever they
// are.
func TestAdmitConcurrent(t *testing.T) {
	db, s, _ := newStore(t)
	ctx := context.Background()
	_, k := create(t, s, apikeys.NewKey{Name: "busy", Scopes: []apikeys.Scope{apikeys.MetricsRead}, RatePerMinute: 10})
	// Five instances, each with its own connection pool, as five servers would have.
	instances := []apikeys.Store{s}
	for range 4 {
		pool, err := dbconn.Postgres(ctx, db.PGURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		instances = append(instances, apikeys.Store{PG: pool, Now: s.Now})
	}
	const requests = 50
	var wg sync.WaitGroup
	results := make([]apikeys.Admission, requests)
	errs := make([]error, requests)
	start := make(chan struct{})
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = instances[i%len(instances)].Admit(ctx, k)
		}()
	}
	close(start)
	wg.Wait()
	allowed, refused := 0, 0
	var remaining []int
	for i, a := range results {
		if errs[i] != nil {
			t.Fatalf("Admit: %v", errs[i])
		}
		if a.Allowed {
			allowed++
			remaining = append(remaining, a.Remaining)
		} else {
			refused++
			if a.Remaining != 0 || a.RetryAfter != 30*time.Second {
				t.Errorf("refused with %+v; want 0 remaining, retry after 30s (10:15:30 → 10:16:00)", a)
			}
		}
	}
	if allowed != 10 || refused != 40 {
		t.Errorf("allowed %d, refused %d; want 10 and 40", allowed, refused)
	}
	slices.Sort(remaining)
	if !slices.Equal(remaining, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("remaining of the allowed requests %v; want each of 9..0 once", remaining)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("list %+v (%v)", list, err)
	}
	if got := list[0]; got.Uses != 10 || got.Refused != 40 || got.LastUsedAt == nil || !got.LastUsedAt.Equal(dbtest.SAST("2026-03-10 10:15:30")) {
		t.Errorf("uses %d, refused %d, last used %v; want 10, 40, 10:15:30", got.Uses, got.Refused, got.LastUsedAt)
	}
	if n := db.Int(t, `SELECT window_requests FROM api_keys`); n != 50 {
		t.Errorf("window_requests %d; want 50", n)
	}
}

// The window is the calendar minute: the count starts afresh when the next one begins.
func TestAdmitWindowResetsAtTheNextMinute(t *testing.T) {
	db, s, c := newStore(t)
	ctx := context.Background()
	_, k := create(t, s, apikeys.NewKey{Name: "k", Scopes: []apikeys.Scope{apikeys.MetricsRead}, RatePerMinute: 2})
	admit := func(at string, wantAllowed bool, wantRemaining int, wantRetry time.Duration) {
		t.Helper()
		c.Set(dbtest.SAST(at[:19]).Add(fraction(at)))
		a, err := s.Admit(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if a != (apikeys.Admission{Allowed: wantAllowed, Remaining: wantRemaining, RetryAfter: wantRetry}) {
			t.Errorf("at %s: %+v; want allowed %v, %d remaining, retry after %v", at, a, wantAllowed, wantRemaining, wantRetry)
		}
	}
	admit("2026-03-10 10:15:30", true, 1, 30*time.Second)
	admit("2026-03-10 10:15:45", true, 0, 15*time.Second)
	admit("2026-03-10 10:15:50", false, 0, 10*time.Second)
	admit("2026-03-10 10:15:59.200", false, 0, time.Second) // 0.8 s, rounded up
	admit("2026-03-10 10:16:00", true, 1, time.Minute)
	admit("2026-03-10 10:16:59.999", true, 0, time.Second)
	admit("2026-03-10 10:16:59.999", false, 0, time.Second)
	// A minute with no request in between changes nothing: the next request starts afresh.
	admit("2026-03-10 10:18:10", true, 1, 50*time.Second)
	// Another instance whose clock lags a little counts in the newer window, not a fresh one.
	admit("2026-03-10 10:17:59", true, 0, 61*time.Second)
	admit("2026-03-10 10:18:20", false, 0, 40*time.Second)

	list, _ := s.List(ctx)
	if got := list[0]; got.Uses != 6 || got.Refused != 4 || !got.LastUsedAt.Equal(dbtest.SAST("2026-03-10 10:17:59")) {
		t.Errorf("uses %d, refused %d, last used %v; want 6, 4, 10:17:59", got.Uses, got.Refused, got.LastUsedAt)
	}
	if n := db.Int(t, `SELECT window_requests FROM api_keys`); n != 3 {
		t.Errorf("window_requests %d; want 3", n)
	}
}

// fraction is the part of a "… hh:mm:ss.fff" time after its seconds.
func fraction(at string) time.Duration {
	if len(at) <= 19 {
		return 0
	}
	d, err := time.ParseDuration("0" + at[19:] + "s")
	if err != nil {
		panic(err)
	}
	return d
}
