package deploy

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// The secrets docker-compose.yml requires, with values distinct enough to tell apart where
// each one ends up.
var composeSecrets = map[string]string{
	"POSTGRES_PASSWORD":      "superuser-pw-3f9a",
	"MARI_PG_PASSWORD":       "app-role-pw-81c2",
	"CLICKHOUSE_PASSWORD":    "clickhouse-pw-5d07",
	"GRAFANA_ADMIN_PASSWORD": "grafana-admin-pw-6e1b",
}

// loadCompose loads docker-compose.yml the way `docker compose` does (interpolation,
// validation against the compose schema, consistency checks, relative paths resolved), with
// env as the whole environment: neither this process's variables nor an .env file leak in.
func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	root := repoRoot(t)
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root), cli.WithEnv(list), cli.WithResolvedPaths(true))
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

func mustLoadCompose(t *testing.T) *types.Project {
	t.Helper()
	p, err := loadCompose(t, composeSecrets)
	if err != nil {
		t.Fatalf("docker-compose.yml does not load with its secrets set: %v", err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := p.GetService(name)
	if err != nil {
		t.Fatalf("service %s: %v", name, err)
	}
	return s
}

func env(s types.ServiceConfig, key string) string {
	if v, ok := s.Environment[key]; ok && v != nil {
		return *v
	}
	return ""
}

func TestComposeLoadsWithItsServices(t *testing.T) {
	p := mustLoadCompose(t)
	got := p.ServiceNames()
	sort.Strings(got)
	if want := []string{"app", "clickhouse", "grafana", "kafka", "kafka-topics", "postgres", "prometheus"}; !slices.Equal(got, want) {
		t.Fatalf("services = %v, want %v", got, want)
	}
}

// Each secret is required: without it (unset or empty) compose refuses the file, and its
// message names the variable, so whoever deploys learns what to set.
func TestComposeRefusesToLoadWithoutEachSecret(t *testing.T) {
	for name := range composeSecrets {
		for _, empty := range []bool{false, true} {
			env := map[string]string{}
			for k, v := range composeSecrets {
				env[k] = v
			}
			delete(env, name)
			if empty {
				env[name] = ""
			}
			_, err := loadCompose(t, env)
			if err == nil {
				t.Errorf("loaded with %s unset (empty=%v); want an error naming it", name, empty)
				continue
			}
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error without %s does not name it: %v", name, err)
			}
		}
	}
	// With none set, one message names them all.
	_, err := loadCompose(t, map[string]string{})
	if err == nil {
		t.Fatal("loaded with no secrets at all")
	}
	for name := range composeSecrets {
		if !strings.Contains(err.Error(), "required variable "+name+" is missing") {
			t.Errorf("error without any secret does not name %s: %v", name, err)
		}
	}
}

// Every container: a health check, no Linux capabilities beyond what its entrypoint needs,
// no privilege gain, memory and CPU limits, bounded logs.
func TestComposeEveryServiceIsConfined(t *testing.T) {
	p := mustLoadCompose(t)
	// What the database images' entrypoints need as root before they switch to their own
	// unprivileged user (see the comments in docker-compose.yml); the app needs none.
	allowedCaps := map[string][]string{
		"postgres":   {"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"},
		"clickhouse": {"CHOWN", "DAC_OVERRIDE", "SETGID", "SETUID"},
		// The Kafka image runs as its own unprivileged user from the start.
		"kafka":        nil,
		"kafka-topics": nil,
		"app":          nil,
		// Both images run as their own unprivileged users from the start.
		"prometheus": nil,
		"grafana":    nil,
	}
	for _, s := range p.Services {
		t.Run(s.Name, func(t *testing.T) {
			if oneShot(p, s) {
				if s.Restart != "no" {
					t.Errorf("one-shot service restart = %q, want no", s.Restart)
				}
			} else if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) < 2 {
				t.Errorf("no health check: %+v", s.HealthCheck)
			}
			if !slices.Equal(s.CapDrop, []string{"ALL"}) {
				t.Errorf("cap_drop = %v, want [ALL]", s.CapDrop)
			}
			allowed, known := allowedCaps[s.Name]
			if !known {
				t.Fatalf("unexpected service %s: decide its capabilities in this test", s.Name)
			}
			for _, c := range s.CapAdd {
				if !slices.Contains(allowed, c) {
					t.Errorf("cap_add %s: not among what its entrypoint needs %v", c, allowed)
				}
			}
			if !slices.Contains(s.SecurityOpt, "no-new-privileges:true") {
				t.Errorf("security_opt = %v, want no-new-privileges:true", s.SecurityOpt)
			}
			if s.Privileged || s.NetworkMode == "host" || s.Pid == "host" || s.Ipc == "host" {
				t.Errorf("privileged=%v network_mode=%q pid=%q ipc=%q", s.Privileged, s.NetworkMode, s.Pid, s.Ipc)
			}
			if s.Deploy == nil || s.Deploy.Resources.Limits == nil {
				t.Fatalf("no deploy.resources.limits")
			}
			lim := s.Deploy.Resources.Limits
			if lim.MemoryBytes <= 0 || lim.NanoCPUs <= 0 {
				t.Errorf("limits memory=%d cpus=%v, want both set", lim.MemoryBytes, lim.NanoCPUs)
			}
			if s.Logging == nil || s.Logging.Options["max-size"] == "" || s.Logging.Options["max-file"] == "" {
				t.Errorf("logging = %+v, want a bounded json-file log", s.Logging)
			}
		})
	}
}

// Only the app and Grafana are reachable from the host, and only on loopback (through the
// HTTPS proxy); the databases, Kafka and Prometheus publish nothing, and the app's metrics
// port is not published either.
func TestComposePublishesOnlyTheAppOnLoopback(t *testing.T) {
	p := mustLoadCompose(t)
	for _, name := range []string{"postgres", "clickhouse", "kafka", "kafka-topics", "prometheus"} {
		if ports := service(t, p, name).Ports; len(ports) != 0 {
			t.Errorf("%s publishes %+v; only the app and Grafana may publish a port", name, ports)
		}
	}
	for name, port := range map[string]string{"app": "8080", "grafana": "3000"} {
		s := service(t, p, name)
		if len(s.Ports) != 1 {
			t.Errorf("%s ports = %+v, want exactly 127.0.0.1:%s:%s", name, s.Ports, port, port)
			continue
		}
		if pt := s.Ports[0]; pt.HostIP != "127.0.0.1" || pt.Published != port || strconv.Itoa(int(pt.Target)) != port {
			t.Errorf("%s port = %+v, want 127.0.0.1:%s -> %s", name, pt, port, port)
		}
	}
}

func TestComposeAppIsReadOnlyAndUnprivileged(t *testing.T) {
	app := service(t, mustLoadCompose(t), "app")
	if !app.ReadOnly {
		t.Error("app: read_only is not set")
	}
	if !slices.ContainsFunc(app.Tmpfs, func(m string) bool { return m == "/tmp" || strings.HasPrefix(m, "/tmp:") }) {
		t.Errorf("app tmpfs = %v, want /tmp (the only place it may write)", app.Tmpfs)
	}
	if len(app.CapAdd) != 0 {
		t.Errorf("app cap_add = %v, want none", app.CapAdd)
	}
	if app.User == "root" || app.User == "0" {
		t.Errorf("app user = %q", app.User)
	}
	// The Go runtime's soft limit sits below the container's hard one, so the collector works
	// before the kernel kills.
	lim := app.Deploy.Resources.Limits
	soft, err := parseGoMemLimit(env(app, "GOMEMLIMIT"))
	if err != nil || soft <= 0 || soft >= int64(lim.MemoryBytes) {
		t.Errorf("GOMEMLIMIT=%q (%d, %v) is not below the memory limit %d", env(app, "GOMEMLIMIT"), soft, err, lim.MemoryBytes)
	}
	if lim.Pids <= 0 {
		t.Errorf("app pids limit = %d, want one", lim.Pids)
	}
}

// The app uses roles of its own: in PostgreSQL `mari` with MARI_PG_PASSWORD (never the image's
// superuser or its password), in ClickHouse `mari` with a password (never `default`).
func TestComposeAppConnectsWithItsOwnUsers(t *testing.T) {
	p := mustLoadCompose(t)
	app, pg, ch := service(t, p, "app"), service(t, p, "postgres"), service(t, p, "clickhouse")

	u, err := url.Parse(env(app, "MARI_PG_URL"))
	if err != nil {
		t.Fatalf("MARI_PG_URL: %v", err)
	}
	superuser := env(pg, "POSTGRES_USER")
	if superuser == "" {
		superuser = "postgres" // the image's default
	}
	pw, _ := u.User.Password()
	if u.User.Username() != "mari" || u.User.Username() == superuser {
		t.Errorf("app's PostgreSQL user = %q, want mari (the superuser is %q)", u.User.Username(), superuser)
	}
	if pw != composeSecrets["MARI_PG_PASSWORD"] {
		t.Errorf("app's PostgreSQL password is not MARI_PG_PASSWORD")
	}
	if u.Host != "postgres:5432" || u.Path != "/mari" {
		t.Errorf("MARI_PG_URL host/db = %s%s, want postgres:5432/mari", u.Host, u.Path)
	}
	if env(pg, "MARI_PG_PASSWORD") != composeSecrets["MARI_PG_PASSWORD"] {
		t.Error("the postgres service does not pass MARI_PG_PASSWORD to its init script")
	}
	for k, v := range app.Environment {
		if v != nil && strings.Contains(*v, composeSecrets["POSTGRES_PASSWORD"]) {
			t.Errorf("the app's %s carries the PostgreSQL superuser's password", k)
		}
	}

	if user := env(app, "MARI_CH_USER"); user != "mari" || env(ch, "CLICKHOUSE_USER") != user {
		t.Errorf("MARI_CH_USER = %q, clickhouse CLICKHOUSE_USER = %q: want both mari, never default",
			user, env(ch, "CLICKHOUSE_USER"))
	}
	if env(app, "MARI_CH_PASSWORD") != composeSecrets["CLICKHOUSE_PASSWORD"] ||
		env(ch, "CLICKHOUSE_PASSWORD") != composeSecrets["CLICKHOUSE_PASSWORD"] {
		t.Error("the app's and ClickHouse's passwords are not both CLICKHOUSE_PASSWORD")
	}
	if env(ch, "CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT") != "0" {
		t.Errorf("CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT = %q, want 0", env(ch, "CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT"))
	}
	// Behind the proxy the app is published for, per-address limits need the real address.
	if env(app, "MARI_BEHIND_PROXY") != "true" || env(app, "MARI_COOKIE_SECURE") != "true" {
		t.Errorf("MARI_BEHIND_PROXY = %q, MARI_COOKIE_SECURE = %q, want true behind the HTTPS proxy",
			env(app, "MARI_BEHIND_PROXY"), env(app, "MARI_COOKIE_SECURE"))
	}
}

// The init script and its SQL are mounted read-only where the image and the script look for
// them, from files that exist: a rename on either side fails here, not at the first deploy.
func TestComposeMountsThePostgresInitScript(t *testing.T) {
	root := repoRoot(t)
	pg := service(t, mustLoadCompose(t), "postgres")
	script := readFile(t, filepath.Join(root, "deploy", "postgres", "init-mari.sh"))
	m := regexp.MustCompile(`-f (/\S+)`).FindStringSubmatch(script)
	if m == nil {
		t.Fatal("init-mari.sh runs no `psql -f /path`")
	}
	sqlTarget := m[1]
	want := map[string]string{ // source -> target
		filepath.Join(root, "deploy", "postgres", "init-mari.sh"):  "",
		filepath.Join(root, "deploy", "postgres", "init-mari.sql"): sqlTarget,
	}
	for src, target := range want {
		i := slices.IndexFunc(pg.Volumes, func(v types.ServiceVolumeConfig) bool { return v.Source == src })
		if i < 0 {
			t.Errorf("%s is not mounted into postgres (volumes %+v)", src, pg.Volumes)
			continue
		}
		v := pg.Volumes[i]
		if !v.ReadOnly {
			t.Errorf("%s is mounted writable", src)
		}
		switch {
		case target == "":
			if !strings.HasPrefix(v.Target, "/docker-entrypoint-initdb.d/") || !strings.HasSuffix(v.Target, ".sh") {
				t.Errorf("init script mounted at %s, want /docker-entrypoint-initdb.d/*.sh", v.Target)
			}
		case v.Target != target:
			t.Errorf("SQL mounted at %s, but init-mari.sh reads %s", v.Target, target)
		case strings.HasPrefix(v.Target, "/docker-entrypoint-initdb.d/"):
			t.Errorf("SQL at %s would be run by the image itself, without its variables", v.Target)
		}
		readFile(t, src) // exists and is readable
	}
}

// parseGoMemLimit reads the GOMEMLIMIT forms used here: a number of bytes with a binary suffix.
func parseGoMemLimit(s string) (int64, error) {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			return v * u.mult, err
		}
	}
	return 0, fmt.Errorf("GOMEMLIMIT %q: want a number with GiB, MiB, KiB or B", s)
}
