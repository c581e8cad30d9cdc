package bearer

import (
	"bytes"
	"strings"
	"testing"
)

func TestSecretsAreFreshPrefixedAndHashedOnly(t *testing.T) {
	a, err := New("mari_x_")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New("mari_x_")
	if a == b || !strings.HasPrefix(a, "mari_x_") || len(a) != Length("mari_x_") {
		t.Fatalf("secrets %q and %q", a, b)
	}
	if h := Hash(a); len(h) != 32 || !bytes.Equal(h, Hash(a)) || bytes.Equal(h, Hash(b)) || bytes.Contains(h, []byte(a)) {
		t.Fatalf("hash of %q: %x", a, h)
	}
}
