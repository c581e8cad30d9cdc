package dbconn

import "testing"

func TestWithDatabase(t *testing.T) {
	cases := map[string]string{
		"postgres://mari@h:1/mari?sslmode=disable": "postgres://mari@h:1/other?sslmode=disable",
		"postgres://u:p@h/db":                      "postgres://u:p@h/other",
	}
	for in, want := range cases {
		if got := WithDatabase(in, "other"); got != want {
			t.Errorf("WithDatabase(%q) = %q, want %q", in, got, want)
		}
	}
}
