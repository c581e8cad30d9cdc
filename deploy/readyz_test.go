package deploy

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// runProbe runs deploy/readyz.sh as the container's health check does, against port.
func runProbe(t *testing.T, port string) (exitCode int, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(repoRoot(t), "deploy", "readyz.sh"))
	cmd.Env = []string{"PATH=/usr/bin:/bin", "MARI_LISTEN_ADDR=:" + port}
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, errBuf.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), errBuf.String()
	default:
		t.Fatalf("readyz.sh: %v", err)
		return -1, ""
	}
}

// The probe asks /readyz (not /healthz) and is healthy on 200 only: a 503 from a database
// outage, and a server that does not answer, are both unhealthy, with the reason on stderr.
func TestReadyzProbeFollowsReadyz(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	code := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		c := code
		mu.Unlock()
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(c)
		if c != http.StatusOK {
			_, _ = w.Write([]byte("postgres: unreachable\n"))
		}
	}))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	if exit, stderr := runProbe(t, port); exit != 0 {
		t.Errorf("200 from /readyz: exit %d (%s), want 0", exit, stderr)
	}
	mu.Lock()
	code = http.StatusServiceUnavailable
	mu.Unlock()
	exit, stderr := runProbe(t, port)
	if exit == 0 || !strings.Contains(stderr, "503") || !strings.Contains(stderr, "postgres: unreachable") {
		t.Errorf("503 from /readyz: exit %d, stderr %q; want failure naming the 503 and its reason", exit, stderr)
	}
	mu.Lock()
	if !slices.Equal(paths, []string{"/readyz", "/readyz"}) {
		t.Errorf("probe requested %v, want /readyz twice", paths)
	}
	mu.Unlock()

	srv.Close()
	if exit, stderr := runProbe(t, port); exit == 0 || !strings.Contains(stderr, "nothing answers") {
		t.Errorf("no server: exit %d, stderr %q; want failure", exit, stderr)
	}
}

// docker-compose.yml's app health check and the image's HEALTHCHECK both run that probe, and
// the image installs it where they call it.
func TestAppHealthChecksUseTheReadyzProbe(t *testing.T) {
	app := service(t, mustLoadCompose(t), "app")
	const probe = "/usr/local/bin/mari-readyz"
	if got := []string(app.HealthCheck.Test); !slices.Equal(got, []string{"CMD", probe}) {
		t.Errorf("compose app healthcheck = %q, want [CMD %s]", got, probe)
	}
	dockerfile := readFile(t, filepath.Join(repoRoot(t), "Dockerfile"))
	if !regexp.MustCompile(`(?m)^COPY (--chmod=0?755 )?deploy/readyz\.sh ` + regexp.QuoteMeta(probe) + `$`).MatchString(dockerfile) {
		t.Errorf("the Dockerfile does not install deploy/readyz.sh as %s", probe)
	}
	if !regexp.MustCompile(`(?m)^\s*CMD \["` + regexp.QuoteMeta(probe) + `"\]$`).MatchString(dockerfile) {
		t.Errorf("the Dockerfile's HEALTHCHECK does not run %s", probe)
	}
}
