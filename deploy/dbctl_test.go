package deploy

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mari/dbconn"
)

// freePorts returns n distinct loopback ports that were free a moment ago (all held open
// together while they are chosen, so no two are the same).
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// A checkout inside a private folder, as a clone in root's home (mode 700) is: the postgres
// user cannot enter it, so initdb and pg_ctl could not reach a data folder there.
// scripts/dbctl.sh, copied into such a checkout and run as root (as CI and a fresh machine
// do), still starts both servers on ports of their own: PostgreSQL with its data under
// /var/lib/mari-dev, ClickHouse in the checkout's .data. Both answer queries; createdb,
// status, a second start, stop and clean work, and clean leaves nothing behind.
func TestDbctlStartsFromAPrivateCheckout(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: dbctl.sh runs PostgreSQL as the postgres user only when root (CI runs as root)")
	}
	parent := t.TempDir()
	if err := os.Chmod(parent, 0o700); err != nil {
		t.Fatal(err)
	}
	checkout := filepath.Join(parent, "checkout")
	if err := os.MkdirAll(filepath.Join(checkout, "scripts"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(checkout, 0o700); err != nil {
		t.Fatal(err)
	}
	script := readFile(t, filepath.Join(repoRoot(t), "scripts", "dbctl.sh"))
	dbctl := filepath.Join(checkout, "scripts", "dbctl.sh")
	if err := os.WriteFile(dbctl, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	// The precondition this test is about: postgres really cannot enter the checkout.
	if err := exec.Command("runuser", "-u", "postgres", "--", "test", "-x", checkout).Run(); err == nil {
		t.Fatalf("the postgres user can enter %s; the test would prove nothing", checkout)
	}

	ports := freePorts(t, 3)
	pgPort, chPort, chHTTPPort := ports[0], ports[1], ports[2]
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MARI_") {
			env = append(env, kv)
		}
	}
	env = append(env, "MARI_PG_PORT="+strconv.Itoa(pgPort), "MARI_CH_PORT="+strconv.Itoa(chPort),
		"MARI_CH_HTTP_PORT="+strconv.Itoa(chHTTPPort))

	run := func(args ...string) (string, error) {
		t.Helper()
		// Output goes to a file, not a pipe: the ClickHouse server dbctl leaves running would
		// hold a pipe open and keep this test waiting for its end.
		out, err := os.CreateTemp(parent, "dbctl-*.log")
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, dbctl, args...)
		cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = env, checkout, out, out
		runErr := cmd.Run()
		log, _ := os.ReadFile(out.Name())
		return string(log), runErr
	}
	mustRun := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("dbctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}

	var pgData string
	t.Cleanup(func() {
		// Whatever happened above: no server outlives the test, no folder is left behind.
		if out, err := run("clean"); err != nil {
			t.Errorf("dbctl clean: %v\n%s", err, out)
		}
		if pgData != "" {
			_ = os.RemoveAll(filepath.Dir(pgData))
		}
	})

	started := time.Now()
	out := mustRun("start")
	t.Logf("dbctl start: %v\n%s", time.Since(started).Round(time.Millisecond), out)
	if !strings.Contains(out, "PostgreSQL data in /var/lib/mari-dev/") {
		t.Errorf("start did not say where PostgreSQL's data went:\n%s", out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adminURL := "postgres://postgres@127.0.0.1:" + strconv.Itoa(pgPort) + "/postgres?sslmode=disable"
	pg, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("PostgreSQL on %d: %v", pgPort, err)
	}
	if err := pg.QueryRow(ctx, `SHOW data_directory`).Scan(&pgData); err != nil {
		t.Fatal(err)
	}
	_ = pg.Close(ctx)
	if !strings.HasPrefix(pgData, "/var/lib/mari-dev/") || strings.HasPrefix(pgData, parent) {
		t.Errorf("PostgreSQL data in %s, want it under /var/lib/mari-dev", pgData)
	}

	mustRun("createdb", "mari")
	pg, err = pgx.Connect(ctx, dbconn.WithDatabase(adminURL, "mari"))
	if err != nil {
		t.Fatalf("database mari: %v", err)
	}
	var owner string
	var answer int
	if err := pg.QueryRow(ctx, `SELECT pg_get_userbyid(datdba), 6 * 7 FROM pg_database WHERE datname = current_database()`).Scan(&owner, &answer); err != nil {
		t.Fatal(err)
	}
	_ = pg.Close(ctx)
	if owner != "mari" || answer != 42 {
		t.Errorf("database mari: owner %q, 6*7 = %d", owner, answer)
	}

	ch, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{Addr: "127.0.0.1:" + strconv.Itoa(chPort), Database: "default", User: "default"})
	if err != nil {
		t.Fatal(err)
	}
	var chDatabases uint64
	var chPath string
	err = ch.QueryRow(ctx, `SELECT count() FROM system.databases WHERE name = 'mari'`).Scan(&chDatabases)
	if err == nil {
		err = ch.QueryRow(ctx, `SELECT data_path FROM system.databases WHERE name = 'mari'`).Scan(&chPath)
	}
	_ = ch.Close()
	if err != nil || chDatabases != 1 || !strings.HasPrefix(chPath, filepath.Join(checkout, ".data", "ch")) {
		t.Errorf("ClickHouse on %d: database mari %d, path %q (%v); want 1 in the checkout's .data/ch", chPort, chDatabases, chPath, err)
	}

	status := mustRun("status")
	if !strings.Contains(status, "postgresql: running") || !strings.Contains(status, "clickhouse: running") {
		t.Errorf("status after start:\n%s", status)
	}
	// A second start (a second `make run`) finds both running and keeps the same cluster.
	if out := mustRun("start"); strings.Contains(out, "initialising") || strings.Contains(out, "starting") {
		t.Errorf("second start initialised or started again:\n%s", out)
	}

	mustRun("stop")
	status = mustRun("status")
	if !strings.Contains(status, "postgresql: stopped") || !strings.Contains(status, "clickhouse: stopped") {
		t.Errorf("status after stop:\n%s", status)
	}
	if c, err := pgx.Connect(ctx, adminURL); err == nil {
		_ = c.Close(ctx)
		t.Error("PostgreSQL still answers after stop")
	}

	mustRun("clean")
	for _, p := range []string{filepath.Join(checkout, ".data"), filepath.Dir(pgData)} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there after clean (%v)", p, err)
		}
	}
	t.Logf("whole cycle: %v", time.Since(started).Round(time.Millisecond))
}
