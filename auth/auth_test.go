package auth

import (
	"strings"
	"testing"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery staple", TestHashParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") || strings.Contains(h, "staple") {
		t.Errorf("hash %q", h)
	}
	h2, _ := HashPassword("correct horse battery staple", TestHashParams)
	if h == h2 {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
	for pw, want := range map[string]bool{"correct horse battery staple": true, "correct horse battery stapl": false, "": false, "Correct horse battery staple": false} {
		if ok, err := VerifyPassword(pw, h); err != nil || ok != want {
			t.Errorf("verify %q: %v, %v; want %v", pw, ok, err, want)
		}
	}
	// The default parameters are what production hashes use: verify one round trip.
	d, _ := HashPassword("x", DefaultHashParams)
	if !strings.HasPrefix(d, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("default hash %q", d)
	}
	if ok, _ := VerifyPassword("x", d); !ok {
		t.Errorf("default-parameter hash does not verify")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=1024,t=1,p=1$!!$AAAA"} {
		if ok, err := VerifyPassword("x", bad); ok || err == nil {
			t.Errorf("malformed hash %q: %v, %v", bad, ok, err)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		p, err := GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != GeneratedPasswordLength || len(p) < 16 {
			t.Fatalf("length %d", len(p))
		}
		for _, r := range p {
			if !strings.ContainsRune(passwordAlphabet, r) {
				t.Fatalf("%q has %q", p, r)
			}
		}
		if seen[p] {
			t.Fatalf("repeated password %q", p)
		}
		seen[p] = true
	}
}

func TestSafeNext(t *testing.T) {
	for next, ok := range map[string]bool{
		"/": true, "/glossary": true, "/executive/daily.csv?from=2026-01-01": true, "/glossary#uptime": true,
		"": false, "glossary": false, "https://evil.example": false, "//evil.example": false, "/\\evil.example": false,
		"javascript:alert(1)": false, "/signin": false, "/signout": false, "/x\r\nSet-Cookie: a=b": false,
		"http:/evil": false, "/" + strings.Repeat("a", 3000): false,
	} {
		if _, got := SafeNext(next); got != ok {
			t.Errorf("SafeNext(%q) = %v; want %v", next, got, ok)
		}
	}
}

func TestNormalizeEmailAndRoles(t *testing.T) {
	if e, err := NormalizeEmail("  Thandi@Mari.Example "); err != nil || e != "thandi@mari.example" {
		t.Errorf("normalize: %q %v", e, err)
	}
	for _, bad := range []string{"", "no-at-sign", "a@b@c", "Name <a@b.example>", strings.Repeat("a", 250) + "@b.example", "'; DROP TABLE staff_accounts;--"} {
		if _, err := NormalizeEmail(bad); err == nil {
			t.Errorf("NormalizeEmail(%q) accepted", bad)
		}
	}
	if _, err := ParseRole("root"); err == nil {
		t.Errorf("unknown role accepted")
	}
}

// BenchmarkVerifyDefault measures one password check at the production parameters: the cost
// of every sign-in, known account or not (go test -bench Verify ./auth).
func BenchmarkVerifyDefault(b *testing.B) {
	h, err := HashPassword("correct horse battery staple", DefaultHashParams)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _ := VerifyPassword("wrong password", h); ok {
			b.Fatal("matched")
		}
	}
}
