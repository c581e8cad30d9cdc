package config

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's tables of settings from config/settings.go")

// The README shows each table of settings after a marker line naming it. Its rows are
// rendered from the tables in settings.go, so a default or a description is written once, in
// Go, and the README cannot drift from it: this test fails while they differ, and
// `go test ./config -update` rewrites them.
func TestREADMETablesAreTheSettings(t *testing.T) {
	const path = "../README.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	want, err := renderREADME(readme)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if want != readme {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Log("README.md rewritten")
		}
		return
	}
	if want != readme {
		got, wantLines := strings.Split(readme, "\n"), strings.Split(want, "\n")
		for i := 0; i < len(got) && i < len(wantLines); i++ {
			if got[i] != wantLines[i] {
				t.Fatalf("README.md line %d differs from config/settings.go (go test ./config -update rewrites it):\n got: %s\nwant: %s", i+1, got[i], wantLines[i])
			}
		}
		t.Fatalf("README.md's tables of settings differ from config/settings.go in length (go test ./config -update rewrites them)")
	}

	// And every MARI_ variable that a README table row names as its first cell, outside the
	// deployment's table of compose variables, is one of the settings.
	known := map[string]bool{}
	for _, name := range settingNames() {
		known[name] = true
	}
	row := regexp.MustCompile("^\\| `(MARI_[A-Z0-9_]+)`")
	inCompose := false
	for _, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(line, "| compose variable") {
			inCompose = true
		} else if !strings.HasPrefix(line, "|") {
			inCompose = false
		}
		if m := row.FindStringSubmatch(line); m != nil && !inCompose && !known[m[1]] {
			t.Errorf("README row for %s, which is not a setting in config/settings.go", m[1])
		}
	}
}

func settingNames() []string {
	var names []string
	for _, s := range appSettings {
		names = append(names, s.Name)
	}
	for _, s := range testSettings {
		names = append(names, s.Name)
	}
	for _, s := range devServerSettings {
		names = append(names, s.Name)
	}
	return names
}

// readmeMarker is the line after which the README shows one table of settings.
var readmeMarker = regexp.MustCompile(`^<!-- settings: ([a-z ]+?) \(rendered from config/settings\.go`)

func readmeTables() map[string]string {
	return map[string]string{
		"app":         markdownTable(appSettings),
		"tests":       markdownTable(testSettings),
		"dev servers": markdownTable(devServerSettings),
	}
}

func markdownTable[T any](settings []Setting[T]) string {
	var b strings.Builder
	b.WriteString("| variable | default | meaning |\n|---|---|---|\n")
	for _, s := range settings {
		shown := s.Shown
		switch {
		case shown != "":
		case s.Default == "":
			shown = "(empty)"
		default:
			shown = "`" + s.Default + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.Name, shown, s.Meaning)
	}
	return b.String()
}

// renderREADME returns readme with the table after each settings marker replaced by the one
// rendered from the settings. It fails when a marker names no table, or a table has no marker
// or more than one.
func renderREADME(readme string) (string, error) {
	tables := readmeTables()
	seen := map[string]int{}
	lines := strings.SplitAfter(readme, "\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		out.WriteString(lines[i])
		m := readmeMarker.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		table, ok := tables[m[1]]
		if !ok {
			return "", fmt.Errorf("README.md line %d: no table of settings is called %q", i+1, m[1])
		}
		seen[m[1]]++
		out.WriteString(table)
		for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "|") {
			i++
		}
	}
	for name := range tables {
		if seen[name] != 1 {
			return "", fmt.Errorf("README.md: the marker of the %q settings appears %d times; want once", name, seen[name])
		}
	}
	return out.String(), nil
}
