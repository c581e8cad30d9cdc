package keyset

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestCursorRoundTripAndRefusals(t *testing.T) {
	p := Position{At: time.Date(2026, 11, 3, 10, 4, 5, 123456000, time.UTC), ID: uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")}
	c := Encode(p, "user:1")
	got, err := Decode(c, "user:1")
	if err != nil || !got.At.Equal(p.At) || got.ID != p.ID {
		t.Fatalf("round trip: %+v %v, want %+v", got, err, p)
	}
	flipped := []byte(c)
	flipped[3] ^= 1
	for name, bad := range map[string]string{
		"another listing": Encode(p, "user:2"),
		"garbage":         "not a cursor!",
		"empty":           "",
		"altered":         string(flipped),
		"too long":        c + "AAAA",
	} {
		if _, err := Decode(bad, "user:1"); !errors.Is(err, ErrBadCursor) {
			t.Errorf("%s: %v, want ErrBadCursor", name, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode(Position{At: time.Unix(1, 0), ID: uuid.New()}, "s"))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := Decode(s, "s"); err == nil && Encode(p, "s") != s {
			t.Fatalf("accepted %q, which re-encodes as %q", s, Encode(p, "s"))
		}
	})
}
