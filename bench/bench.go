// Package bench measures the server time of Mari BI's pages against demo datasets of known
// size. Each size lives in its own pair of databases (mari_bench_s<scale>) on the same servers
// as the app, loaded once and reused by later runs, so only the first run pays for the load.
//
// It measures server time only: each request goes straight to the echo handler through
// ServeHTTP, sequentially, after a warm-up. Network, browser and chart drawing are not in it.
// Nothing here asserts a speed; it reports medians and p95 beside the targets.
package bench

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mari/apikeys"
	"mari/auth"
	"mari/calendar"
	"mari/config"
	"mari/dbconn"
	"mari/demodata"
	"mari/handlers"
	"mari/migrations"
	"mari/percentile"
	"mari/queries"
	"mari/rollup"
	"mari/web"
)

// Options say what to measure and where.
type Options struct {
	Scales   []float64 // demodata scales, one database pair each
	Pages    []string  // paths to measure, e.g. "/"
	Requests int       // measured requests per page
	Warmup   int       // unmeasured requests per page first
	Months   int       // months of demo history for a new dataset
	Seed     int64

	Config       config.Config // the app's configuration; the database names are replaced
	PGAdminURL   string        // a superuser URL on the same PostgreSQL server, for CREATE DATABASE
	Out          io.Writer     // the table
	Progress     io.Writer     // loading progress; nil for none
	MarkdownPath string        // where to write the markdown table; "" for nowhere
}

// Result is one page measured on one dataset.
type Result struct {
	Scale         float64
	Database      string
	Transactions  int64
	Events        int64
	DataEnds      time.Time
	Page          string
	Requests      int
	Degraded      int // responses that showed a panel as unavailable (a timeout, an error)
	P50, P95, Max time.Duration
	Target        time.Duration
	// PanelsP50 is the median time the page's panels spent loading (the union of their
	// concurrent loads: their queries, mostly), measured in the same requests; 0 for a page
	// without panels. P50 ÷ PanelsP50 is what everything around the SQL costs.
	PanelsP50 time.Duration
}

// Overhead is the page's median time over its panels' median load time; ok is false for a
// page without panels.
func (r Result) Overhead() (float64, bool) {
	if r.PanelsP50 <= 0 {
		return 0, false
	}
	return float64(r.P50) / float64(r.PanelsP50), true
}

// Target is the p95 server time the team aims for at a scale: 50 ms at the default size,
// 150 ms from scale 10 (about 10M+ events) up.
func Target(scale float64) time.Duration {
	if scale >= 10 {
		return 150 * time.Millisecond
	}
	return 50 * time.Millisecond
}

// DatabaseName is the bench database pair for a scale: mari_bench_s1, mari_bench_s0_5, ...
func DatabaseName(scale float64) string {
	s := strconv.FormatFloat(scale, 'f', -1, 64)
	return "mari_bench_s" + strings.ReplaceAll(s, ".", "_")
}

// Run measures every page at every scale, prints the table and writes the markdown file.
func Run(ctx context.Context, o Options) ([]Result, error) {
	if len(o.Scales) == 0 || len(o.Pages) == 0 || o.Requests < 1 || o.Warmup < 0 {
		return nil, errors.New("bench: want at least one scale, one page and one request")
	}
	if o.Months == 0 {
		o.Months = 18
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	var results []Result
	var weights []WeightResult
	for _, scale := range o.Scales {
		rs, ws, err := measureScale(ctx, o, scale)
		if err != nil {
			return results, fmt.Errorf("scale %g: %w", scale, err)
		}
		results = append(results, rs...)
		weights = append(weights, ws...)
	}
	writeTable(o.Out, results)
	writeWeights(o.Out, weights)
	if o.MarkdownPath != "" {
		if err := os.MkdirAll(filepath.Dir(o.MarkdownPath), 0o755); err != nil {
			return results, err
		}
		if err := os.WriteFile(o.MarkdownPath, []byte(Markdown(results, o)+weightsMarkdown(weights)), 0o644); err != nil {
			return results, err
		}
		fmt.Fprintf(o.Out, "\nwritten to %s\n", o.MarkdownPath)
	}
	return results, nil
}

func measureScale(ctx context.Context, o Options, scale float64) ([]Result, []WeightResult, error) {
	name := DatabaseName(scale)
	pg, ch, err := openDataset(ctx, o, name, scale)
	if err != nil {
		return nil, nil, err
	}
	defer pg.Close()
	defer ch.Close()

	base := Result{Scale: scale, Database: name, Target: Target(scale)}
	var events uint64
	base.Transactions, base.DataEnds, events, err = queries.DatasetSize(ctx, pg, ch)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset size: %w", err)
	}
	base.Events = int64(events)

	cfg := o.Config
	cfg.PostgresURL = dbconn.WithDatabase(o.Config.PostgresURL, name)
	cfg.ClickHouseDatabase = name
	cfg.Scheduler = false
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := web.NewServer(web.Deps{Config: cfg, PG: pg, CH: ch, Log: quiet})
	// The dashboard is for signed-in executives: sign in once, the way a browser does, and
	// send the session cookie with every measured request (so its lookup is measured too).
	cookies, err := signIn(ctx, e, pg)
	if err != nil {
		return nil, nil, fmt.Errorf("bench sign-in: %w", err)
	}
	// The JSON API takes a key instead (one with every scope and room for every request).
	keys := apikeys.Store{PG: pg}
	key, k, err := keys.Create(ctx, apikeys.NewKey{Name: fmt.Sprintf("mari bench %d", time.Now().UnixNano()),
		Scopes: apikeys.Scopes, RatePerMinute: apikeys.MaxRatePerMinute}, auth.Actor{Email: "mari bench"})
	if err != nil {
		return nil, nil, fmt.Errorf("bench API key: %w", err)
	}
	defer keys.Revoke(context.WithoutCancel(ctx), k.ID, auth.Actor{Email: "mari bench"})
	credentials := func(path string) ([]*http.Cookie, string) {
		if strings.HasPrefix(path, "/api/") {
			return nil, key
		}
		return cookies, ""
	}

	var results []Result
	for _, page := range o.Pages {
		r := base
		r.Page = page
		r.Requests = o.Requests
		cookies, key := credentials(page)
		for i := 0; i < o.Warmup; i++ {
			if _, _, err := get(ctx, e, page, cookies, key); err != nil {
				return nil, nil, err
			}
		}
		times := make([]time.Duration, 0, o.Requests)
		panelTimes := make([]time.Duration, 0, o.Requests)
		for i := 0; i < o.Requests; i++ {
			var loads handlers.LoadTimes
			took, degraded, err := get(handlers.WithLoadTimes(ctx, &loads), e, page, cookies, key)
			if err != nil {
				return nil, nil, err
			}
			if degraded {
				r.Degraded++
			}
			times = append(times, took)
			panelTimes = append(panelTimes, loads.Busy())
		}
		slices.Sort(times)
		slices.Sort(panelTimes)
		r.P50, r.P95, r.Max = nearestRank(times, 50), nearestRank(times, 95), times[len(times)-1]
		r.PanelsP50 = nearestRank(panelTimes, 50)
		results = append(results, r)
	}
	// What a browser downloads for the sign-in page (signed out) and the executive dashboard.
	var weights []WeightResult
	for _, w := range []struct {
		page    string
		cookies []*http.Cookie
	}{{"/signin", nil}, {"/", cookies}} {
		wr, err := Weight(ctx, e, w.cookies, w.page)
		if err != nil {
			return nil, nil, fmt.Errorf("weight of %s: %w", w.page, err)
		}
		wr.Scale = scale
		weights = append(weights, wr)
	}
	return results, weights, nil
}

// get serves one request (with the session cookies, or an API key) and times it. A response other than 200 is an error: a benchmark
// of an error page measures nothing.
func get(ctx context.Context, h http.Handler, path string, cookies []*http.Cookie, apiKey string) (time.Duration, bool, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	took := time.Since(start)
	if rec.Code != http.StatusOK {
		body := rec.Body.String()
		if len(body) > 300 {
			body = body[:300] + "..."
		}
		return took, false, fmt.Errorf("GET %s: status %d: %s", path, rec.Code, body)
	}
	return took, degradedResponse.MatchString(rec.Body.String()), nil
}

// degradedResponse matches a panel that reports itself unavailable: the HTML message with its
// reason ("unavailable — PostgreSQL is unreachable"), or the JSON list of failed panels when it
// is not empty. Hidden placeholders (empty reason) and an empty list are not degradation.
var degradedResponse = regexp.MustCompile(`unavailable — [[:alpha:]]|"unavailable":\["`)

var csrfField = regexp.MustCompile(`name="` + auth.CSRFFormField + `" value="([^"]+)"`)

// signIn gives the bench database's demo executive a fresh random password, signs in through
// the sign-in form, and returns the session cookie.
func signIn(ctx context.Context, h http.Handler, pg *pgxpool.Pool) ([]*http.Cookie, error) {
	password, err := auth.NewService(pg).EnsureDemoAccount(ctx, auth.Actor{Email: "mari bench"})
	if err != nil {
		return nil, err
	}
	form := httptest.NewRecorder()
	h.ServeHTTP(form, httptest.NewRequestWithContext(ctx, http.MethodGet, "/signin", nil))
	m := csrfField.FindStringSubmatch(form.Body.String())
	if form.Code != http.StatusOK || m == nil {
		return nil, fmt.Errorf("GET /signin: status %d, no CSRF field", form.Code)
	}
	body := url.Values{"email": {auth.DemoEmail}, "password": {password}, auth.CSRFFormField: {html.UnescapeString(m[1])}}
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/signin", strings.NewReader(body.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range form.Result().Cookies() {
		req.AddCookie(c)
	}
	res := httptest.NewRecorder()
	h.ServeHTTP(res, req)
	if res.Code != http.StatusSeeOther {
		return nil, fmt.Errorf("POST /signin: status %d", res.Code)
	}
	return res.Result().Cookies(), nil
}

// nearestRank is the p-th percentile of sorted durations, by the one definition of a
// percentile (package percentile).
func nearestRank(sorted []time.Duration, p uint64) time.Duration {
	rank := max(percentile.Rank(p, uint64(len(sorted))), 1)
	return sorted[rank-1]
}

// openDataset creates, migrates and (when empty) loads the bench database pair for a scale.
func openDataset(ctx context.Context, o Options, name string, scale float64) (*pgxpool.Pool, driver.Conn, error) {
	if err := createDatabases(ctx, o, name); err != nil {
		return nil, nil, err
	}
	pg, err := dbconn.Postgres(ctx, dbconn.WithDatabase(o.Config.PostgresURL, name))
	if err != nil {
		return nil, nil, err
	}
	ch, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{
		Addr: o.Config.ClickHouseAddr, Database: name,
		User: o.Config.ClickHouseUser, Password: o.Config.ClickHousePassword,
	})
	if err != nil {
		pg.Close()
		return nil, nil, err
	}
	fail := func(err error) (*pgxpool.Pool, driver.Conn, error) {
		pg.Close()
		_ = ch.Close()
		return nil, nil, err
	}
	if err := migrations.Postgres(ctx, pg); err != nil {
		return fail(err)
	}
	if err := migrations.ClickHouse(ctx, ch); err != nil {
		return fail(err)
	}
	empty, err := queries.IsEmpty(ctx, pg)
	if err != nil {
		return fail(err)
	}
	if !empty {
		fmt.Fprintf(o.Progress, "bench: reusing %s\n", name)
		// A dataset loaded by an older release lacks the rollups added since.
		if err := rollup.New(pg, nil, nil).CatchUp(ctx, o.Progress); err != nil {
			return fail(err)
		}
		return pg, ch, nil
	}
	if err := load(ctx, o, pg, ch, name, scale); err != nil {
		// A half-loaded dataset would be reused by the next run and measured as if whole:
		// drop it so the next run starts again.
		pg.Close()
		_ = ch.Close()
		dropCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if derr := dropDatabases(dropCtx, o, name); derr != nil {
			err = fmt.Errorf("%w (and dropping the partial dataset failed: %v)", err, derr)
		}
		return nil, nil, err
	}
	return pg, ch, nil
}

func load(ctx context.Context, o Options, pg *pgxpool.Pool, ch driver.Conn, name string, scale float64) error {
	end := time.Now()
	fmt.Fprintf(o.Progress, "bench: loading demo data into %s (scale %g, %d months); later runs reuse it\n", name, scale, o.Months)
	start := time.Now()
	sum, err := demodata.Generate(ctx, pg, ch, demodata.Options{
		Seed: o.Seed, Scale: scale, Months: o.Months, End: end, Progress: o.Progress,
	})
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	fmt.Fprintf(o.Progress, "bench: %d users, %d transactions, %d events in %s\n",
		sum.Users, sum.Transactions, sum.Events, time.Since(start).Round(time.Second))
	from := calendar.DateOf(end).AddMonths(-o.Months).MonthStart()
	to := calendar.Today(time.Now())
	start = time.Now()
	if err := rollup.New(pg, nil, nil).Backfill(ctx, from, to, o.Progress); err != nil {
		return fmt.Errorf("rollup backfill: %w", err)
	}
	fmt.Fprintf(o.Progress, "bench: rollups %s to %s in %s\n", from, to, time.Since(start).Round(time.Second))
	return nil
}

func createDatabases(ctx context.Context, o Options, name string) error {
	admin, err := pgx.Connect(ctx, o.PGAdminURL)
	if err != nil {
		return fmt.Errorf("PostgreSQL admin connection (is `make db-start` done?): %w", err)
	}
	defer admin.Close(ctx)
	if err := queries.CreatePostgresDatabase(ctx, admin, name, urlUser(o.Config.PostgresURL)); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	boot, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{
		Addr: o.Config.ClickHouseAddr, Database: "default",
		User: o.Config.ClickHouseUser, Password: o.Config.ClickHousePassword,
	})
	if err != nil {
		return err
	}
	defer boot.Close()
	// name comes from DatabaseName: letters, digits and underscores only.
	if err := queries.CreateClickHouseDatabase(ctx, boot, name); err != nil {
		return fmt.Errorf("ClickHouse create database %s (is `make db-start` done?): %w", name, err)
	}
	return nil
}

func dropDatabases(ctx context.Context, o Options, name string) error {
	var errs []error
	if admin, err := pgx.Connect(ctx, o.PGAdminURL); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, queries.DropPostgresDatabase(ctx, admin, name))
		_ = admin.Close(ctx)
	}
	if boot, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{
		Addr: o.Config.ClickHouseAddr, Database: "default",
		User: o.Config.ClickHouseUser, Password: o.Config.ClickHousePassword,
	}); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, queries.DropClickHouseDatabase(ctx, boot, name))
		_ = boot.Close()
	}
	return errors.Join(errs...)
}

// AdminURL is the superuser URL used to create bench databases: the app's server and port,
// user postgres, database postgres.
func AdminURL(appURL string) (string, error) {
	cfg, err := pgx.ParseConfig(appURL)
	if err != nil {
		return "", fmt.Errorf("MARI_PG_URL: %w", err)
	}
	return fmt.Sprintf("postgres://postgres@%s:%d/postgres?sslmode=disable", cfg.Host, cfg.Port), nil
}

func urlUser(url string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return ""
	}
	return cfg.User
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) }

func meets(r Result) string {
	if r.P95 < r.Target {
		return "yes"
	}
	return "NO"
}

func panelsMS(r Result) string {
	if r.PanelsP50 <= 0 {
		return "–"
	}
	return ms(r.PanelsP50)
}

func overhead(r Result) string {
	o, ok := r.Overhead()
	if !ok {
		return "–"
	}
	return strconv.FormatFloat(o, 'f', 2, 64) + "×"
}

func writeTable(w io.Writer, results []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scale\ttransactions\tevents\tpage\trequests\tp50 ms\tp95 ms\tmax ms\tp95 target\tmeets\tpanels p50 ms\tpage ÷ panels\tdegraded\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%g\t%d\t%d\t%s\t%d\t%s\t%s\t%s\t< %s ms\t%s\t%s\t%s\t%d\t\n", r.Scale, r.Transactions, r.Events,
			r.Page, r.Requests, ms(r.P50), ms(r.P95), ms(r.Max), ms(r.Target), meets(r), panelsMS(r), overhead(r), r.Degraded)
	}
	_ = tw.Flush()
	for _, r := range results {
		if r.Degraded > 0 {
			fmt.Fprintf(w, "warning: %s at scale %g: %d of %d responses showed a panel as unavailable; those times are not of a working page\n",
				r.Page, r.Scale, r.Degraded, r.Requests)
		}
	}
}

// Markdown is the results as a markdown section, with what was measured and on what.
func Markdown(results []Result, o Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Mari BI server-time benchmark\n\n")
	fmt.Fprintf(&b, "Measured %s on %d CPUs (%s, %s/%s) by `mari bench`: %d sequential requests per page "+
		"after %d warm-up requests, straight to the handler (no network, no browser). "+
		"Each dataset is `demodata` with %d months of history.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		o.Requests, o.Warmup, o.Months)
	b.WriteString("| scale | transactions | events | data ends | page | requests | p50 ms | p95 ms | max ms | p95 target | meets | panels p50 ms | page ÷ panels | degraded |\n")
	b.WriteString("|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %g | %d | %d | %s | `%s` | %d | %s | %s | %s | < %s | %s | %s | %s | %d |\n",
			r.Scale, r.Transactions, r.Events, r.DataEnds.UTC().Format("2006-01-02"), r.Page, r.Requests,
			ms(r.P50), ms(r.P95), ms(r.Max), ms(r.Target), meets(r), panelsMS(r), overhead(r), r.Degraded)
	}
	b.WriteString("\n\"degraded\" counts responses in which a panel said \"unavailable\" (a timeout or an error). " +
		"\"panels p50\" is the median time the page's panels spent loading in the same requests (the union of their " +
		"concurrent loads: their queries, mostly); \"page ÷ panels\" is the page's p50 over it, the cost of everything " +
		"around the SQL (goal: at most 1.5). A page not built from panels shows \"–\".\n")
	return b.String()
}
