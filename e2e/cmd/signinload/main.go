// Command signinload sends many sign-ins to a running Mari BI at the same moment and reports
// the answers by status and the server's peak memory while they ran. It measures the bound on
// password hashing (MARI_PASSWORD_HASH_CONCURRENCY) and the sign-in limits:
//
//	go run ./e2e/cmd/signinload -url http://127.0.0.1:8080 -pid $(pgrep -f 'mari serve') \
//	    -n 400 -spread
//
// -spread gives every sign-in its own email and address (X-Forwarded-For, so the server must
// run with MARI_BEHIND_PROXY=true), so no rate limit stops any: every one wants a hash. Without
// it, all come from one address for one email, as in a guessing attack. The peak is the
// server's VmHWM, reset first through /proc/<pid>/clear_refs (run as root, on Linux).
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the app's address")
	pid := flag.Int("pid", 0, "the server's process id, to read its memory (0: do not)")
	n := flag.Int("n", 40, "sign-ins sent at the same moment")
	spread := flag.Bool("spread", false, "a different email and address for each sign-in")
	email := flag.String("email", "nobody@mari.example", "the email tried (without -spread)")
	flag.Parse()
	if err := run(*base, *pid, *n, *spread, *email); err != nil {
		fmt.Fprintln(os.Stderr, "signinload:", err)
		os.Exit(1)
	}
}

type client struct {
	http  *http.Client
	token string
	email string
	ip    string
}

func run(base string, pid, n int, spread bool, email string) error {
	clients := make([]*client, n)
	for i := range clients {
		jar, _ := cookiejar.New(nil)
		c := &client{http: &http.Client{Jar: jar, Timeout: 2 * time.Minute}, email: email, ip: "198.51.100.1"}
		if spread {
			c.email = fmt.Sprintf("load%d@mari.example", i)
			c.ip = fmt.Sprintf("10.%d.%d.%d", i/65536%256, i/256%256, i%256)
		}
		res, err := c.http.Get(base + "/signin")
		if err != nil {
			return err
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := csrfField.FindSubmatch(page)
		if m == nil {
			return fmt.Errorf("GET /signin: status %d without a CSRF token", res.StatusCode)
		}
		c.token = string(m[1])
		clients[i] = c
	}
	before, err := memory(pid, true)
	if err != nil {
		return err
	}
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		start   = make(chan struct{})
		byCode  = map[int]int{}
		elapsed []time.Duration
	)
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := neturl.Values{"email": {c.email}, "password": {"not the password"}, "_csrf": {c.token}}
			req, _ := http.NewRequest(http.MethodPost, base+"/signin", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", c.ip)
			<-start
			t0 := time.Now()
			res, err := c.http.Do(req)
			code := -1
			if err == nil {
				code = res.StatusCode
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			mu.Lock()
			byCode[code]++
			elapsed = append(elapsed, time.Since(t0))
			mu.Unlock()
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	total := time.Since(t0)
	after, err := memory(pid, false)
	if err != nil {
		return err
	}
	sort.Slice(elapsed, func(i, j int) bool { return elapsed[i] < elapsed[j] })
	codes := make([]int, 0, len(byCode))
	for c := range byCode {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	fmt.Printf("%d sign-ins at once (spread %v) in %s; median %s, slowest %s\n", n, spread,
		total.Round(time.Millisecond), elapsed[len(elapsed)/2].Round(time.Millisecond), elapsed[len(elapsed)-1].Round(time.Millisecond))
	for _, c := range codes {
		fmt.Printf("  status %d: %d\n", c, byCode[c])
	}
	if pid != 0 {
		fmt.Printf("  server memory: resident %s before, peak %s while they ran, resident %s after\n",
			before["VmRSS"], after["VmHWM"], after["VmRSS"])
	}
	return nil
}

// memory reads the server's VmRSS and VmHWM; reset first resets VmHWM to the current
// resident size, so the peak read later is the peak of this run.
func memory(pid int, reset bool) (map[string]string, error) {
	out := map[string]string{}
	if pid == 0 {
		return out, nil
	}
	if reset {
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
			return nil, fmt.Errorf("resetting the peak: %w", err)
		}
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && (k == "VmRSS" || k == "VmHWM") {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out, nil
}
