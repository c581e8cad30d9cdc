package config

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// defaultOf is the default of any setting, by variable name.
func defaultOf() map[string]string {
	d := map[string]string{}
	for _, s := range appSettings {
		d[s.Name] = s.Default
	}
	for _, s := range testSettings {
		d[s.Name] = s.Default
	}
	for _, s := range devServerSettings {
		d[s.Name] = s.Default
	}
	return d
}

var shellDefault = regexp.MustCompile(`\$\{(MARI_[A-Z0-9_]+):-([^}]*)\}`)

// The shell side cannot import Go, so it writes its own defaults: `${MARI_PG_PORT:-55432}` in
// scripts/dbctl.sh, `${MARI_LISTEN_ADDR:-:8080}` in the banner and the health check. Each must
// be the default of a setting in settings.go, and the same value. A default made from another
// variable (`${MARI_DATA_DIR:-$ROOT/.data}`) is the script's own business and is skipped.
func TestShellScriptsUseTheSameDefaults(t *testing.T) {
	defaults := defaultOf()
	files, _ := filepath.Glob("../scripts/*.sh")
	more, _ := filepath.Glob("../deploy/*.sh")
	files = append(files, more...)
	checked := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range shellDefault.FindAllStringSubmatch(string(b), -1) {
			name, value := m[1], m[2]
			want, ok := defaults[name]
			switch {
			case !ok:
				t.Errorf("%s: %s is not a setting in config/settings.go (add it there, and so to the README)", f, name)
			case strings.Contains(value, "$"):
			case value != want:
				t.Errorf("%s: %s defaults to %q; config/settings.go says %q", f, name, value, want)
			default:
				checked[filepath.Base(f)+" "+name] = true
			}
		}
	}
	for _, must := range []string{"dbctl.sh MARI_PG_PORT", "dbctl.sh MARI_CH_PORT", "dbctl.sh MARI_CH_HTTP_PORT", "readyz.sh MARI_LISTEN_ADDR"} {
		if !checked[must] {
			t.Errorf("no default of the form ${VAR:-value} found for %s: the test no longer reads what it should", must)
		}
	}
}

// The Makefile starts the servers on MARI_PG_PORT and MARI_CH_PORT and points the app and
// the tests at them: with nothing set, what it exports must be what the Go code would use on
// its own. `make run` alone listens on loopback, on the default port.
func TestMakefileUsesTheSameDefaults(t *testing.T) {
	defaults := defaultOf()
	b, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	orDefault := regexp.MustCompile(`^(\w+)\s*:=\s*\$\(or \$\((MARI_\w+)\),([^)]*)\)\s*$`)
	plain := regexp.MustCompile(`^(\w+)\s*\?=\s*(\S*)\s*$`)
	export := regexp.MustCompile(`^(?:([\w-]+):\s*)?export (MARI_\w+)\s*\?=\s*(\S*)\s*$`)
	makeVar := regexp.MustCompile(`\$\((\w+)\)`)
	vars := map[string]string{}
	checked := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if m := orDefault.FindStringSubmatch(line); m != nil {
			want, ok := defaults[m[2]]
			if !ok || m[3] != want {
				t.Errorf("Makefile: %s defaults to %q; config/settings.go says %q", m[2], m[3], want)
			}
			vars[m[1]] = m[3]
			checked[m[2]] = true
		} else if m := plain.FindStringSubmatch(line); m != nil {
			vars[m[1]] = m[2]
		} else if m := export.FindStringSubmatch(line); m != nil {
			target, name := m[1], m[2]
			value := makeVar.ReplaceAllStringFunc(m[3], func(ref string) string {
				v, ok := vars[makeVar.FindStringSubmatch(ref)[1]]
				if !ok {
					t.Errorf("Makefile: %s refers to %s, which the test cannot expand", name, ref)
				}
				return v
			})
			want, ok := defaults[name]
			if !ok {
				t.Errorf("Makefile: %s is not a setting in config/settings.go", name)
				continue
			}
			if target != "" {
				// A target's own address: loopback for `make run`, on the default port.
				_, gotPort, err1 := net.SplitHostPort(value)
				_, wantPort, err2 := net.SplitHostPort(want)
				if err1 != nil || err2 != nil || gotPort != wantPort {
					t.Errorf("Makefile: %s sets %s=%q; want the port of the default %q", target, name, value, want)
				}
			} else if value != want {
				t.Errorf("Makefile: %s defaults to %q; config/settings.go says %q", name, value, want)
			}
			checked[name] = true
		}
	}
	for _, must := range []string{"MARI_PG_PORT", "MARI_CH_PORT", "MARI_PG_URL", "MARI_CH_ADDR", "MARI_CH_DATABASE",
		"MARI_TEST_PG_ADMIN_URL", "MARI_TEST_CH_ADDR", "MARI_LISTEN_ADDR"} {
		if !checked[must] {
			t.Errorf("Makefile: no default found for %s: the test no longer reads what it should", must)
		}
	}
}

// docker-compose.yml passes the app's settings on with its own defaults. They are the app's,
// except where deployment differs on purpose: behind its HTTPS proxy the cookies are Secure
// and the client address comes from X-Forwarded-For (the README's deployment section).
func TestComposeUsesTheSameDefaults(t *testing.T) {
	deployment := map[string]string{"MARI_COOKIE_SECURE": "true", "MARI_BEHIND_PROXY": "true"}
	defaults := defaultOf()
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, m := range shellDefault.FindAllStringSubmatch(string(b), -1) {
		name, value := m[1], m[2]
		want, ok := deployment[name]
		if !ok {
			want, ok = defaults[name]
		}
		if !ok {
			t.Errorf("docker-compose.yml: %s is not a setting in config/settings.go", name)
		} else if value != want {
			t.Errorf("docker-compose.yml: %s defaults to %q; want %q", name, value, want)
		}
		found++
	}
	if found == 0 {
		t.Error("docker-compose.yml: no ${MARI_...:-default} found: the test no longer reads what it should")
	}
}
