package views

import (
	"strings"
	"testing"

	"mari/catalogue"
)

// A "?" shows the first sentence of the catalogue's definition, named, and never more than a
// tooltip can hold; an id the catalogue lacks shows the caller's words.
func TestHelpTip(t *testing.T) {
	got := helpTip(catalogue.IDPreviousPeriod, "How periods are compared")
	want := "Previous period: What a range is compared with: the period of the same length directly before it."
	if got != want {
		t.Errorf("previous period: %q\nwant %q", got, want)
	}
	if got := helpTip("no-such-metric", "Fallback words"); got != "Fallback words" {
		t.Errorf("unknown id: %q", got)
	}
	for _, m := range catalogue.All() {
		tip := helpTip(m.ID, "x")
		if !strings.HasPrefix(tip, m.Name+": ") || len([]rune(tip)) > len([]rune(m.Name))+2+maxTip {
			t.Errorf("%s: tip %q", m.ID, tip)
		}
	}
}
