// Package demodata generates a deterministic, realistic demo dataset for Mari BI: partner
// banks, users, payments and their costs in PostgreSQL, and the payment event stream and app
// activity in ClickHouse. The same Seed, Scale, Months and End give a byte-identical dataset.
//
// Users (a few hundred bytes each) are drawn up front; payments are drawn month by month and
// streamed in chunks to both databases at once, so memory stays bounded at any Scale.
package demodata

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgxpool"

	"mari/calendar"
	"mari/queries"
)

// Options control the generated dataset.
type Options struct {
	Seed     int64     // same seed (and End, Months, Scale) = same dataset
	Scale    float64   // 1 = default size; 10 = ten times the users and events
	Months   int       // months of history ending at End (default 18): the launch month is the one Months before End's month
	End      time.Time // data is generated up to this instant (required: no clock is read)
	Progress io.Writer // progress display; nil for none
}

// Summary says what was written.
type Summary struct {
	Banks, Users, Transactions, Events, Activity int64
	Incidents, CostRows                          int64
	Launch                                       calendar.Date // first day of the history
}

// txPerChunk bounds memory: a chunk (payments plus activity) is a few megabytes, and at most a
// handful are in flight between the generator and the two loaders.
const txPerChunk = 25000

const numLocations = 300

// generator holds the state of one run. Only its goroutine touches g.
type generator struct {
	o           Options
	g           *rng
	end         int64 // ms
	months      []month
	tx, signups *profile
	banks       []bank
	bankEnds    []int64 // first instant after each contract's end; max int64 if open-ended
	releases    []release
	locations   []string
	users       []user
	merchants   []int32   // merchant user indexes in created_at order
	merchantCum []float64 // cumulative popularity of merchants[:i+1]
	reasons     weighted
	outages     [][2]int64
	incidents   []incident
	stats       []monthStats
}

func newGenerator(o Options) (*generator, error) {
	if o.End.IsZero() {
		return nil, errors.New("demodata: Options.End is required")
	}
	if o.Scale <= 0 {
		o.Scale = 1
	}
	if o.Months <= 0 {
		o.Months = 18
	}
	gen := &generator{o: o, g: newRNG(o.Seed, 1), end: o.End.UnixMilli()}
	launch := calendar.DateOf(o.End).AddMonths(-o.Months).MonthStart()
	start := launch.Start().UnixMilli()
	gen.tx = newProfile(start, gen.end, txWeight)
	gen.signups = newProfile(start, gen.end, signupWeight)
	gen.months = buildMonths(launch, gen.end, gen.tx)
	g := gen.g
	gen.banks = buildBanks(g, gen.months)
	for i := range gen.banks {
		e := int64(1<<63 - 1)
		if b := gen.banks[i].end; b != nil {
			e = b.End().UnixMilli()
		}
		gen.bankEnds = append(gen.bankEnds, e)
	}
	gen.releases = buildReleases(g, start, gen.end)
	for range numLocations {
		gen.locations = append(gen.locations, g.hex(8))
	}
	gen.incidents = buildIncidents(g, gen.months, gen.end)
	for _, in := range gen.incidents {
		if in.outage {
			gen.outages = append(gen.outages, [2]int64{in.start, in.end})
		}
	}
	gen.outages = mergeOutages(gen.outages)
	gen.users = buildUsers(g, o, gen.months, gen.banks, gen.signups, gen.end)
	total := 0.0
	for i := range gen.users {
		if gen.users[i].merchant {
			total += g.logNormal(1, 1.2) // a few merchants are very popular
			gen.merchants = append(gen.merchants, int32(i))
			gen.merchantCum = append(gen.merchantCum, total)
		}
	}
	w := make([]float64, len(failureReasons))
	for i, r := range failureReasons {
		w[i] = r.weight
	}
	gen.reasons = newWeighted(w...)
	gen.stats = make([]monthStats, len(gen.months))
	return gen, nil
}

// mergeOutages sorts outage intervals and merges overlaps, so inOutage can binary-search them
// by end.
func mergeOutages(o [][2]int64) [][2]int64 {
	slices.SortFunc(o, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	var out [][2]int64
	for _, x := range o {
		if n := len(out); n > 0 && x[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], x[1])
			continue
		}
		out = append(out, x)
	}
	return out
}

// run draws every month's payments and hands them to emit in order.
func (gen *generator) run(ctx context.Context, emit func(*chunk) error, progress func(mi int)) error {
	for mi, m := range gen.months {
		s := &gen.stats[mi]
		s.usersToDate = usersBefore(gen.users, m.end-1)
		s.newUsers = s.usersToDate - usersBefore(gen.users, m.start-1)
		for i := range gen.banks {
			if gen.banks[i].inForce(m.first) {
				s.banksInForce++
				s.licensingRand += gen.banks[i].monthlyFeeRand
			}
		}
		plan := gen.planMonth(mi)
		for len(plan) > 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			n := min(len(plan), txPerChunk)
			c := &chunk{month: mi, txs: make([]tx, 0, n)}
			for _, p := range plan[:n] {
				var t tx
				t, c.acts = gen.makeTx(p, c.acts)
				c.txs = append(c.txs, t)
				s.txs++
				switch t.status {
				case completed:
					s.completed++
					s.completedCents += t.amount
				case failed:
					s.failed++
				case pending:
					s.pending++
				}
				if t.fraud {
					s.fraud++
				}
				if t.ch == offlineSMS {
					s.offline++
				}
				s.events += t.eventCount(gen.end)
			}
			s.activity += int64(len(c.acts))
			plan = plan[n:]
			if err := emit(c); err != nil {
				return err
			}
		}
		progress(mi)
	}
	return nil
}

// Generate writes the dataset into empty databases: PostgreSQL in one transaction (nothing is
// left behind if it fails) and ClickHouse concurrently.
func Generate(ctx context.Context, pg *pgxpool.Pool, ch driver.Conn, o Options) (Summary, error) {
	gen, err := newGenerator(o)
	if err != nil {
		return Summary{}, err
	}
	if n, err := queries.DemoEventRows(ctx, ch); err != nil {
		return Summary{}, fmt.Errorf("ClickHouse: %w", err)
	} else if n > 0 {
		return Summary{}, fmt.Errorf("ClickHouse already holds %d event or activity rows; demo data goes only into empty databases", n)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	pgChunks := make(chan *chunk, 2)
	chChunks := make(chan *chunk, 2)
	var loaded atomic.Int64
	var wg sync.WaitGroup
	var pgErr, chErr error
	var pgTook, chTook time.Duration
	started := time.Now()
	pgReady := make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		if pgErr = gen.loadPostgres(ctx, pg, pgChunks, &loaded, pgReady); pgErr != nil {
			cancel(pgErr)
		}
		pgTook = time.Since(started)
	}()
	go func() {
		defer wg.Done()
		if chErr = gen.loadClickHouse(ctx, ch, chChunks, &loaded, pgReady); chErr != nil {
			cancel(chErr)
		}
		chTook = time.Since(started)
	}()

	var sum Summary
	progress := func(mi int) {
		s := gen.stats[mi]
		sum.Transactions += s.txs
		sum.Events += s.events
		sum.Activity += s.activity
		if o.Progress == nil {
			return
		}
		el := time.Since(started).Seconds()
		fmt.Fprintf(o.Progress, "demo data: %s  users %7d (+%6d)  transactions %8d  events %9d  activity %9d  | %d rows sent, %.0f rows/s\n",
			gen.months[mi].first.MonthKey(), s.usersToDate, s.newUsers, s.txs, s.events, s.activity,
			loaded.Load(), float64(loaded.Load())/max(el, 0.001))
	}
	genErr := gen.run(ctx, func(c *chunk) error {
		for _, out := range []chan *chunk{pgChunks, chChunks} {
			select {
			case out <- c:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		return nil
	}, progress)
	if genErr != nil {
		cancel(genErr) // the loaders must not commit a partial dataset
	}
	close(pgChunks)
	close(chChunks)
	wg.Wait()
	if err := errors.Join(pgErr, chErr); err != nil {
		return Summary{}, err
	}
	if genErr != nil {
		return Summary{}, genErr
	}
	sum.Banks = int64(len(gen.banks))
	sum.Users = int64(len(gen.users))
	sum.Incidents = int64(len(gen.incidents))
	sum.CostRows = int64(len(gen.months) * len(costCategories))
	sum.Launch = gen.months[0].first
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "demo data: wrote %d rows in %s (PostgreSQL committed after %s, ClickHouse done after %s)\n",
			loaded.Load(), time.Since(started).Round(time.Millisecond), pgTook.Round(time.Millisecond), chTook.Round(time.Millisecond))
	}
	return sum, nil
}
