package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/calendar"
	"mari/config"
	"mari/dbconn"
	"mari/events"
	"mari/ingest"
	"mari/migrations"
	"mari/queries"
	"mari/rollup"
	"mari/web"
)

// IngestOptions say how to measure ingestion.
type IngestOptions struct {
	Config     config.Config
	PGAdminURL string
	Events     int   // events per throughput run
	BatchSizes []int // events per request
	// KafkaBatchSizes are the consumer's records per transaction, through kfake.
	KafkaBatchSizes []int
	Posters         int           // concurrent clients posting
	Rates           []int         // events per second for the post-to-screen latency
	RateFor         time.Duration // how long each rate runs
	Users           int           // users the payments are between
	Out             io.Writer
	Progress        io.Writer
}

// ThroughputResult is one batch size pushed through one path.
type ThroughputResult struct {
	Path      string
	BatchSize int
	Events    int
	Stored    time.Duration // until every request was answered: all of it in PostgreSQL
	Shipped   time.Duration // until the outbox was empty: all of it in ClickHouse too
}

// LatencyResult is the time from a post to its events showing on /ops/data, and in today's
// rollup (daily_metrics, what the executive and growth pages read), at one rate.
type LatencyResult struct {
	Rate             int
	Samples, Dropped int // batches measured; batches whose minute ended before they showed
	P50, P95, Max    time.Duration
	// Rollup: from the post to today's daily_metrics counting the batch's payments.
	RollupSamples                   int
	RollupP50, RollupP95, RollupMax time.Duration
}

// IngestDatabase is the bench's own database pair, made afresh for each run.
const IngestDatabase = "mari_bench_ingest"

// RunIngest measures ingestion throughput over HTTP at each batch size, then the post-to-screen
// latency at each rate, and writes the tables to o.Out.
func RunIngest(ctx context.Context, o IngestOptions) ([]ThroughputResult, []LatencyResult, error) {
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	var through []ThroughputResult
	for _, size := range o.BatchSizes {
		r, err := withIngestDB(ctx, o, func(env *ingestEnv) (ThroughputResult, error) { return env.throughputHTTP(ctx, size) })
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(o.Progress, "bench ingest: HTTP batches of %d: %d events stored in %s, shipped in %s\n",
			size, r.Events, r.Stored.Round(time.Millisecond), r.Shipped.Round(time.Millisecond))
		through = append(through, r)
	}
	for _, size := range o.KafkaBatchSizes {
		r, err := withIngestDB(ctx, o, func(env *ingestEnv) (ThroughputResult, error) { return env.throughputKafka(ctx, size) })
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(o.Progress, "bench ingest: Kafka batches of %d: %d events stored in %s, shipped in %s\n",
			size, r.Events, r.Stored.Round(time.Millisecond), r.Shipped.Round(time.Millisecond))
		through = append(through, r)
	}
	var lat []LatencyResult
	for _, rate := range o.Rates {
		r, err := withIngestDB(ctx, o, func(env *ingestEnv) (LatencyResult, error) { return env.latency(ctx, rate, o.RateFor) })
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(o.Progress, "bench ingest: %d events/s: post to /ops/data p50 %s p95 %s (%d batches)\n",
			rate, r.P50.Round(time.Millisecond), r.P95.Round(time.Millisecond), r.Samples)
		lat = append(lat, r)
	}
	writeIngestTables(o.Out, o, through, lat)
	return through, lat, nil
}

// ingestEnv is a fresh database pair with banks, users, a token, the app and its shipper.
type ingestEnv struct {
	o       IngestOptions
	pg      *pgxpool.Pool
	ch      driver.Conn
	app     http.Handler
	token   string
	users   []uuid.UUID
	shipper *ingest.Shipper
	rng     *rand.Rand
	seq     int
}

func withIngestDB[R any](ctx context.Context, o IngestOptions, run func(*ingestEnv) (R, error)) (R, error) {
	var zero R
	bo := Options{Config: o.Config, PGAdminURL: o.PGAdminURL}
	_ = dropDatabases(ctx, bo, IngestDatabase)
	if err := createDatabases(ctx, bo, IngestDatabase); err != nil {
		return zero, err
	}
	defer func() {
		dropCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_ = dropDatabases(dropCtx, bo, IngestDatabase)
	}()
	pg, err := dbconn.Postgres(ctx, dbconn.WithDatabase(o.Config.PostgresURL, IngestDatabase))
	if err != nil {
		return zero, err
	}
	defer pg.Close()
	ch, err := dbconn.ClickHouse(dbconn.ClickHouseOptions{Addr: o.Config.ClickHouseAddr, Database: IngestDatabase,
		User: o.Config.ClickHouseUser, Password: o.Config.ClickHousePassword})
	if err != nil {
		return zero, err
	}
	defer ch.Close()
	if err := migrations.Postgres(ctx, pg); err != nil {
		return zero, err
	}
	if err := migrations.ClickHouse(ctx, ch); err != nil {
		return zero, err
	}
	env := &ingestEnv{o: o, pg: pg, ch: ch, rng: rand.New(rand.NewPCG(42, 7))}
	if err := env.seed(ctx); err != nil {
		return zero, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	env.shipper = ingest.NewShipper(pg, ch, quiet)
	cfg := o.Config
	cfg.IngestMaxBody = 64 << 20
	cfg.Scheduler = false
	env.app = web.NewServer(web.Deps{Config: cfg, PG: pg, CH: ch, Log: quiet, IngestCommitted: env.shipper.Wake, Landed: env.shipper.Landed})
	shipCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() { defer func() { done <- struct{}{} }(); env.shipper.Run(shipCtx) }()
	// The rollup scheduler as serve runs it: its live look refreshes today as events land.
	sched := rollup.NewScheduler(rollup.New(pg, quiet, nil), time.Hour)
	sched.Tick(ctx) // its first round (the catch-up of a new database) before anything is timed
	go func() { defer func() { done <- struct{}{} }(); sched.Run(shipCtx) }()
	defer func() { stop(); <-done; <-done }()
	return run(env)
}

// seed writes two banks and o.Users users, and makes a token.
func (env *ingestEnv) seed(ctx context.Context) error {
	if _, err := env.pg.Exec(ctx, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date)
		VALUES ('Bench Bank A', 'BENCHA', 'active', '2025-01-01'), ('Bench Bank B', 'BENCHB', 'active', '2025-01-01')`); err != nil {
		return err
	}
	n := max(env.o.Users, 2)
	env.users = make([]uuid.UUID, n)
	created := time.Now().Add(-30 * 24 * time.Hour)
	for i := range env.users {
		env.users[i] = uuid.New()
	}
	if _, err := env.pg.CopyFrom(ctx, pgx.Identifier{"users"},
		[]string{"id", "phone_number_hash", "blood_hash", "device_public_key", "created_at", "last_active"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			return []any{env.users[i], "bench-phone-" + strconv.Itoa(i), "bb" + strconv.Itoa(i), "key", created, created}, nil
		})); err != nil {
		return err
	}
	tok, err := ingest.Tokens{PG: env.pg, Now: time.Now}.Create(ctx, "bench", auth.Actor{})
	env.token = tok
	return err
}

// payment is one payment's four events (initiated, seal, submitted, completed or failed),
// initiated at start.
func (env *ingestEnv) payment(start time.Time) []events.Event {
	env.seq++
	tx := uuid.New()
	from := env.users[env.rng.IntN(len(env.users))]
	to := env.users[env.rng.IntN(len(env.users))]
	for to == from {
		to = env.users[env.rng.IntN(len(env.users))]
	}
	amount := decimal.New(int64(500+env.rng.IntN(200000)), -2)
	ms := int32(300 + env.rng.IntN(3000))
	bank := "BENCHA"
	if env.rng.IntN(3) == 0 {
		bank = "BENCHB"
	}
	mk := func(kind string, at time.Time) events.Event {
		return events.Event{Transaction: &events.Transaction{EventID: uuid.New(), TransactionID: tx, UserID: from,
			EventType: kind, Timestamp: at, Currency: "ZAR"}}
	}
	ini := mk(events.Initiated, start)
	ini.Transaction.Amount = decimal.NewNullDecimal(amount)
	ini.Transaction.BankID, ini.Transaction.Channel, ini.Transaction.DeviceType = bank, "online", "android"
	ini.Transaction.RecipientID, ini.Transaction.PhysicsSealHash = to, "bench-seal-"+tx.String()
	seal := mk(events.PhysicsSealCaptured, start.Add(50*time.Millisecond))
	sub := mk(events.Submitted, start.Add(100*time.Millisecond))
	fin := mk(events.Completed, start.Add(time.Duration(ms)*time.Millisecond))
	fin.Transaction.ProcessingTimeMS = &ms
	if env.rng.IntN(10) == 0 {
		fin.Transaction.EventType, fin.Transaction.FailureReason, fin.Transaction.ErrorCode = events.Failed, "bank_timeout", "E_BANK_TIMEOUT"
	}
	return []events.Event{ini, seal, sub, fin}
}

// body encodes events as newline-delimited JSON.
func body(evs []events.Event) ([]byte, error) {
	var b bytes.Buffer
	for _, e := range evs {
		line, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

func (env *ingestEnv) post(ctx context.Context, payload []byte) (map[string]any, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/ingest/v1/transaction-events", bytes.NewReader(payload))
	req.Header.Set("Authorization", "Bearer "+env.token)
	rec := httptest.NewRecorder()
	env.app.ServeHTTP(rec, req)
	var answer map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil || rec.Code != http.StatusOK {
		return nil, fmt.Errorf("POST: %d %.300s", rec.Code, rec.Body.String())
	}
	if rej, _ := answer["rejected"].([]any); len(rej) > 0 {
		return nil, fmt.Errorf("POST: %d lines rejected, the first: %v", len(rej), rej[0])
	}
	return answer, nil
}

// streamRate is the event rate the throughput runs' events are stamped at: the target's.
const streamRate = 100000

// stream is n events (n/4 payments of four) as a live stream at streamRate would carry them:
// payments starting at a steady pace and ending now, every event in the order of its time. A
// payment's completion comes 0.3 to 3.3 s after its start, so it mostly travels in a later
// batch than its initiation (and, posted by other clients at once, may arrive first and wait
// as a held event).
func (env *ingestEnv) stream(n int) []events.Event {
	payments := max(n/4, 1)
	span := time.Duration(float64(n) / streamRate * float64(time.Second))
	start := time.Now().Add(-span - 5*time.Second)
	evs := make([]events.Event, 0, payments*4)
	for i := range payments {
		evs = append(evs, env.payment(start.Add(span*time.Duration(i)/time.Duration(payments)))...)
	}
	slices.SortStableFunc(evs, func(a, b events.Event) int { return a.At().Compare(b.At()) })
	return evs
}

// throughputHTTP posts o.Events events of a stream (see stream) in requests of size events,
// from o.Posters clients at once.
func (env *ingestEnv) throughputHTTP(ctx context.Context, size int) (ThroughputResult, error) {
	evs := env.stream(env.o.Events)
	var bodies [][]byte
	for len(evs) > 0 {
		n := min(size, len(evs))
		b, err := body(evs[:n])
		if err != nil {
			return ThroughputResult{}, err
		}
		bodies = append(bodies, b)
		evs = evs[n:]
	}
	total := env.o.Events / 4 * 4
	work := make(chan []byte, len(bodies))
	for _, b := range bodies {
		work <- b
	}
	close(work)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, env.o.Posters)
	for range max(env.o.Posters, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				if _, err := env.post(ctx, b); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	stored := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return ThroughputResult{}, err
	}
	if err := env.waitShipped(ctx); err != nil {
		return ThroughputResult{}, err
	}
	shipped := time.Since(start)
	var inCH uint64
	if err := env.ch.QueryRow(ctx, `SELECT count() FROM transaction_events`).Scan(&inCH); err != nil {
		return ThroughputResult{}, err
	}
	if int(inCH) != total {
		return ThroughputResult{}, fmt.Errorf("ClickHouse holds %d events of %d posted", inCH, total)
	}
	return ThroughputResult{Path: "HTTP", BatchSize: size, Events: total, Stored: stored, Shipped: shipped}, nil
}

// waitShipped returns when nothing is held and the outbox is empty: every event is applied
// and in ClickHouse too.
func (env *ingestEnv) waitShipped(ctx context.Context) error {
	for {
		b, err := queries.OutboxBacklogNow(ctx, env.pg)
		if err != nil {
			return err
		}
		held, err := queries.IngestAnyHeld(ctx, env.pg)
		if err != nil {
			return err
		}
		if b.TxEvents == 0 && b.Activity == 0 && !held {
			return nil
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// opsView is what the latency poller reads from /ops/data: the SAST minute the figures are of
// and the number of payments initiated in it so far.
type opsView struct {
	at     time.Time
	minute string
	count  int
}

// latency posts rate events a second (ten posts a second) for d, while another client reads
// /ops/data as fast as it answers. A batch's latency is from the start of its post to the
// first /ops/data that counts its payments among those initiated this minute.
func (env *ingestEnv) latency(ctx context.Context, rate int, d time.Duration) (LatencyResult, error) {
	cookies, err := signIn(ctx, env.app, env.pg)
	if err != nil {
		return LatencyResult{}, err
	}
	type posted struct {
		at       time.Time
		minute   string
		expected int // initiated in that minute once this batch is counted
	}
	var (
		mu      sync.Mutex
		views   []opsView
		rollups []opsView // count: today's total_transactions in daily_metrics
	)
	pollCtx, stopPoll := context.WithCancel(ctx)
	pollDone := make(chan error, 1)
	go func() {
		for pollCtx.Err() == nil {
			v, err := env.readOps(pollCtx, cookies)
			if err != nil {
				if pollCtx.Err() != nil {
					break
				}
				pollDone <- err
				return
			}
			var total int64
			today := calendar.Today(time.Now())
			if err := env.pg.QueryRow(pollCtx, `SELECT coalesce(max(total_transactions), 0) FROM daily_metrics WHERE date = $1::date`,
				today.String()).Scan(&total); err != nil && pollCtx.Err() == nil {
				pollDone <- err
				return
			}
			mu.Lock()
			views = append(views, v)
			rollups = append(rollups, opsView{at: time.Now(), minute: today.String(), count: int(total)})
			mu.Unlock()
		}
		pollDone <- nil
	}()
	perPost := max(rate/10, 4) / 4 // payments per post
	var posts []posted
	perMinute := map[string]int{}
	var baseline int64 // today's payments in the rollup before the first post
	_ = env.pg.QueryRow(ctx, `SELECT coalesce(max(total_transactions), 0) FROM daily_metrics WHERE date = $1::date`,
		calendar.Today(time.Now()).String()).Scan(&baseline)
	dayTotal := int(baseline)
	type rolled struct {
		at       time.Time
		day      string
		expected int
	}
	var rolledPosts []rolled
	tick := time.NewTicker(100 * time.Millisecond)
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		<-tick.C
		now := time.Now()
		minute := now.In(calendar.SAST).Format("15:04")
		var evs []events.Event
		for range perPost {
			evs = append(evs, env.payment(now)...)
		}
		b, err := body(evs)
		if err != nil {
			stopPoll()
			return LatencyResult{}, err
		}
		start := time.Now()
		if _, err := env.post(ctx, b); err != nil {
			stopPoll()
			return LatencyResult{}, err
		}
		perMinute[minute] += perPost
		posts = append(posts, posted{at: start, minute: minute, expected: perMinute[minute]})
		dayTotal += perPost
		rolledPosts = append(rolledPosts, rolled{at: start, day: calendar.DateOf(now).String(), expected: dayTotal})
	}
	tick.Stop()
	if err := sleep(ctx, 6*time.Second); err != nil { // the last posts' time to show
		stopPoll()
		return LatencyResult{}, err
	}
	stopPoll()
	if err := <-pollDone; err != nil {
		return LatencyResult{}, err
	}
	res := LatencyResult{Rate: rate}
	var lat []time.Duration
	for _, p := range posts {
		i := slices.IndexFunc(views, func(v opsView) bool {
			return !v.at.Before(p.at) && v.minute == p.minute && v.count >= p.expected
		})
		if i < 0 {
			res.Dropped++
			continue
		}
		lat = append(lat, views[i].at.Sub(p.at))
	}
	res.Samples = len(lat)
	if len(lat) == 0 {
		return res, fmt.Errorf("no post showed on /ops/data (%d posts)", len(posts))
	}
	slices.Sort(lat)
	res.P50, res.P95, res.Max = nearestRank(lat, 50), nearestRank(lat, 95), lat[len(lat)-1]
	var rlat []time.Duration
	for _, p := range rolledPosts {
		i := slices.IndexFunc(rollups, func(v opsView) bool {
			return !v.at.Before(p.at) && v.minute == p.day && v.count >= p.expected
		})
		if i >= 0 {
			rlat = append(rlat, rollups[i].at.Sub(p.at))
		}
	}
	res.RollupSamples = len(rlat)
	if len(rlat) > 0 {
		slices.Sort(rlat)
		res.RollupP50, res.RollupP95, res.RollupMax = nearestRank(rlat, 50), nearestRank(rlat, 95), rlat[len(rlat)-1]
	}
	return res, nil
}

// readOps fetches /ops/data and reads the "initiated this minute" tile; at is when the answer
// was complete.
func (env *ingestEnv) readOps(ctx context.Context, cookies []*http.Cookie) (opsView, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/ops/data", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	started := time.Now()
	env.app.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return opsView{}, fmt.Errorf("GET /ops/data: %d", rec.Code)
	}
	var data struct {
		Text map[string]string `json:"text"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &data); err != nil {
		return opsView{}, err
	}
	n, _ := strconv.Atoi(strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", "").Replace(data.Text["week.current"]))
	// The figures are of the minute the request started in.
	return opsView{at: time.Now(), minute: started.In(calendar.SAST).Format("15:04"), count: n}, nil
}

func writeIngestTables(w io.Writer, o IngestOptions, through []ThroughputResult, lat []LatencyResult) {
	if w == nil {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "path\tbatch\tevents\tinto PostgreSQL\tevents/s\tinto both stores\tevents/s\n")
	for _, r := range through {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.0f\t%s\t%.0f\n", r.Path, r.BatchSize, r.Events, r.Stored.Round(time.Millisecond),
			float64(r.Events)/r.Stored.Seconds(), r.Shipped.Round(time.Millisecond), float64(r.Events)/r.Shipped.Seconds())
	}
	fmt.Fprintf(tw, "\nrate (events/s)\tbatches\tp50 post→/ops/data\tp95\tmax\tp50 post→today's rollup\tp95\tmax\ttarget p95\n")
	for _, r := range lat {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t5s\n", r.Rate, r.Samples, r.P50.Round(time.Millisecond), r.P95.Round(time.Millisecond),
			r.Max.Round(time.Millisecond), r.RollupP50.Round(time.Millisecond), r.RollupP95.Round(time.Millisecond), r.RollupMax.Round(time.Millisecond))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "(%d posting clients, %d users, in-process HTTP: no network; %s each rate)\n", o.Posters, o.Users, o.RateFor)
}
