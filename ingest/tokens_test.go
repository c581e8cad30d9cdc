package ingest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"mari/auth"
	"mari/dbtest"
)

func TestTokensCreateReplaceAuthenticate(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	tokens := Tokens{PG: db.PG, Now: testStore(db).Now}
	first, err := tokens.Create(ctx, "simulator", auth.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	if _, name, ok, err := tokens.Authenticate(ctx, first); err != nil || !ok || name != "simulator" {
		t.Fatalf("first token: %v %v %q", ok, err, name)
	}
	second, err := tokens.Replace(ctx, "simulator", auth.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := tokens.Authenticate(ctx, first); ok {
		t.Error("the replaced token still works")
	}
	if _, _, ok, _ := tokens.Authenticate(ctx, second); !ok {
		t.Error("its successor does not")
	}
	for _, bad := range []string{"", "mari_ingest_", first[:len(first)-1], "Bearer " + second, second + "x"} {
		if _, _, ok, err := tokens.Authenticate(ctx, bad); ok || err != nil {
			t.Errorf("%q: ok=%v err=%v", bad, ok, err)
		}
	}
	if n := db.Int(t, `SELECT count(*) FROM audit_log WHERE action LIKE 'ingest_token_%'`); n != 3 {
		t.Errorf("%d audit entries; want created, revoked (replaced), created", n)
	}
	if n := db.Int(t, `SELECT count(*) FROM ingest_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, second); n != 1 {
		t.Errorf("the token is not stored as its SHA-256")
	}
	if _, err := tokens.Create(ctx, "  ", auth.Actor{}); err == nil {
		t.Error("a blank name was accepted")
	}
}

// Eight admins create the same name at once: one token, seven refusals.
func TestTokenNameUniqueUnderConcurrency(t *testing.T) {
	db := dbtest.New(t)
	tokens := Tokens{PG: db.PG, Now: testStore(db).Now}
	var wg sync.WaitGroup
	var mu sync.Mutex
	made, taken := 0, 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := tokens.Create(context.Background(), "backend", auth.Actor{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				made++
			case errors.Is(err, ErrTokenNameTaken):
				taken++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if made != 1 || taken != 7 {
		t.Errorf("made %d, refused %d", made, taken)
	}
}
