package ingest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"

	"mari/calendar"
	"mari/queries"
	"mari/rollup"
)

// ShipperLease is the scheduler_leases row the shipper runs under: one instance ships at a
// time, so the only insert whose outcome can be unknown is one of the current holder's (or of
// the holder before it, which a new holder always assumes).
const ShipperLease = "ingest-shipper"

// Shipper moves the outbox to ClickHouse, exactly once.
//
// ClickHouse's materialized views count a row the moment it is inserted, so a duplicate has
// to be stopped before the insert. Each outbox row carries its sequence number into
// ClickHouse (ingest_seq); each insert holds one month of rows, one partition, which
// ClickHouse writes as one part: all of it lands or none. Rows leave the outbox after their
// insert succeeded. When the shipper cannot know whether an insert landed (an error after it
// was sent, a crash before the outbox delete, a new holder taking over), it first asks
// ClickHouse which of the rows it holds are already there and sends only the others.
//
// Known limit: ClickHouse writes a materialized view's rows after the raw table's; a server
// that fails between the two keeps the raw rows without the view's. No client can undo that
// on 18.16 (current versions deduplicate views by insert token on replicated tables).
type Shipper struct {
	PG  queries.DB
	CH  driver.Conn
	Log *slog.Logger
	// Store, when set, is where Run applies held events whose user or payment has arrived.
	// NewShipper sets it to a store of the same database that wakes this shipper after each
	// batch it stores: give it to the Kafka consumer (or any other writer) of this process.
	Store *Store
	// Holder names this process in scheduler_leases.
	Holder string
	// BatchSize is the most rows one round reads from an outbox.
	BatchSize int
	// InsertTimeout bounds one ClickHouse insert; LeaseTTL must exceed it by a margin, so a
	// holder that lost the lease has given up its insert before another takes over.
	InsertTimeout time.Duration
	LeaseTTL      time.Duration
	// Idle is how often Run looks at the outbox without being woken.
	Idle time.Duration

	wake chan struct{}

	mu          sync.Mutex
	uncertain   bool // an insert's outcome is unknown: probe before the next
	holding     bool
	lastRelease time.Time
	stats       ShipStats
}

// ShipStats are the shipper's running totals.
type ShipStats struct {
	Shipped int64 // rows inserted into ClickHouse
	Skipped int64 // rows found already in ClickHouse when probing, not inserted again
	Probes  int64 // times it asked ClickHouse what had landed
	Errors  int64 // failed rounds
}

// NewShipper returns a shipper with the defaults and its Store.
func NewShipper(pg queries.DB, ch driver.Conn, log *slog.Logger) *Shipper {
	if log == nil {
		log = slog.Default()
	}
	s := &Shipper{PG: pg, CH: ch, Log: log, Holder: rollup.NewHolderID(), BatchSize: 50000,
		InsertTimeout: 10 * time.Second, LeaseTTL: 30 * time.Second, Idle: time.Second,
		wake: make(chan struct{}, 1), uncertain: true}
	s.Store = NewStore(pg, log)
	s.Store.Committed = s.Wake
	return s
}

// Wake asks Run to look at the outbox now (a batch has just committed).
func (s *Shipper) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Landed is how many rows this shipper has written to ClickHouse: readers of ClickHouse
// compare it to know that newer events have arrived.
func (s *Shipper) Landed() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(s.stats.Shipped)
}

// Stats returns the running totals.
func (s *Shipper) Stats() ShipStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Run ships until ctx ends: whenever woken, and every Idle. While ClickHouse (or PostgreSQL)
// is unreachable it retries every few seconds, logging the failure once and the recovery once;
// the backlog waits in the outbox and is shipped when the database returns.
func (s *Shipper) Run(ctx context.Context) {
	defer s.release()
	pause := s.Idle
	failing := 0
	for {
		err := s.round(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if failing == 0 {
				s.Log.Error("ingest: shipping to ClickHouse failed; retrying until it works", "err", err)
			}
			failing++
			pause = min(max(pause, 100*time.Millisecond)*2, maxRetryPause)
		default:
			if failing > 0 {
				s.Log.Info("ingest: shipping to ClickHouse again", "failed_rounds", failing)
				failing = 0
			}
			pause = s.Idle
		}
		timer := time.NewTimer(pause)
		wake := s.wake
		if failing > 0 {
			wake = nil // new batches do not make a failing database come back sooner
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// releaseEvery is how often held events are judged again.
const releaseEvery = time.Second

// maxRetryPause bounds the wait between failed rounds: once the database is back, the backlog
// moves within this long.
const maxRetryPause = 2 * time.Second

// round is one pass: claim the lease, release held events, ship everything waiting.
func (s *Shipper) round(ctx context.Context) error {
	if !s.claim(ctx) {
		return nil
	}
	// Held events are judged again at most once a second, not at every wake-up: while one
	// waits for a user that is slow to come, each pass reads it again.
	if s.Store != nil && time.Since(s.lastRelease) >= releaseEvery {
		s.lastRelease = time.Now()
		if _, err := s.Store.ReleaseHeld(ctx); err != nil {
			return fmt.Errorf("releasing held events: %w", err)
		}
		if _, err := s.Store.ExpireHeld(ctx); err != nil {
			return fmt.Errorf("expiring held events: %w", err)
		}
	}
	_, err := s.ShipAll(ctx)
	return err
}

// claim claims or renews the lease; a new holder cannot know how its predecessor's last
// insert ended.
func (s *Shipper) claim(ctx context.Context) bool {
	claimCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, ok, err := queries.ClaimLease(claimCtx, s.PG, ShipperLease, s.Holder, s.LeaseTTL)
	if err != nil {
		return false
	}
	s.mu.Lock()
	if ok && !s.holding {
		s.uncertain = true
	}
	s.holding = ok
	s.mu.Unlock()
	return ok
}

func (s *Shipper) release() {
	s.mu.Lock()
	holding := s.holding
	s.holding = false
	s.mu.Unlock()
	if !holding {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = queries.ReleaseLease(ctx, s.PG, ShipperLease, s.Holder)
}

// ShipAll drains both outboxes and returns the rows that reached ClickHouse. Call it only
// from one process at a time (Run holds the lease for it).
func (s *Shipper) ShipAll(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more, err := s.shipTxEvents(ctx)
		total += n
		if err != nil {
			return total, s.failed(err)
		}
		m, moreAct, err := s.shipActivity(ctx)
		total += m
		if err != nil {
			return total, s.failed(err)
		}
		if !more && !moreAct {
			return total, nil
		}
	}
}

func (s *Shipper) failed(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uncertain = true
	s.stats.Errors++
	return err
}

// outbox is one outbox table and its ClickHouse table: how to read, send, probe and delete
// its rows, and what each row's number, time and user are.
type outbox[R any] struct {
	next   func(ctx context.Context, q queries.Querier, limit int) ([]R, error)
	insert func(ctx context.Context, ch driver.Conn, rows []R) error
	probe  shippedFunc
	remove func(ctx context.Context, q queries.Querier, seqs []int64) error
	row    func(r *R) (seq uint64, at time.Time, user uuid.UUID)
}

var (
	txEventsOutbox = outbox[queries.OutboxTxEvent]{
		next: queries.OutboxTxEventsNext, insert: queries.IngestInsertTxEvents,
		probe: queries.IngestShippedTxEvents, remove: queries.OutboxTxEventsDelete,
		row: func(r *queries.OutboxTxEvent) (uint64, time.Time, uuid.UUID) { return r.Seq, r.At, r.UserID },
	}
	activityOutbox = outbox[queries.OutboxActivity]{
		next: queries.OutboxActivityNext, insert: queries.IngestInsertActivity,
		probe: queries.IngestShippedActivity, remove: queries.OutboxActivityDelete,
		row: func(r *queries.OutboxActivity) (uint64, time.Time, uuid.UUID) { return r.Seq, r.At, r.UserID },
	}
)

func (s *Shipper) shipTxEvents(ctx context.Context) (int, bool, error) {
	return ship(ctx, s, txEventsOutbox)
}

func (s *Shipper) shipActivity(ctx context.Context) (int, bool, error) {
	return ship(ctx, s, activityOutbox)
}

// ship moves the oldest BatchSize rows of one outbox: those ClickHouse may already have are
// asked about first (when unsure), the rest sent one month per insert, then the users touched
// and the rows deleted. more says a full batch was read (there may be more waiting).
func ship[R any](ctx context.Context, s *Shipper, o outbox[R]) (shipped int, more bool, err error) {
	rows, err := o.next(ctx, s.PG, s.BatchSize)
	if err != nil || len(rows) == 0 {
		return 0, false, err
	}
	seqs := make([]int64, len(rows))
	for i := range rows {
		seq, _, _ := o.row(&rows[i])
		seqs[i] = int64(seq)
	}
	seqAt := func(i int) (uint64, time.Time) {
		seq, at, _ := o.row(&rows[i])
		return seq, at
	}
	send, err := s.unshipped(ctx, len(rows), seqAt, o.probe)
	if err != nil {
		return 0, false, err
	}
	for _, month := range byMonth(send, func(i int) time.Time { _, at := seqAt(i); return at }) {
		part := make([]R, len(month))
		for j, i := range month {
			part[j] = rows[i]
		}
		if err := s.insert(ctx, func(ctx context.Context) error { return o.insert(ctx, s.CH, part) }); err != nil {
			return shipped, false, err
		}
		shipped += len(part)
		s.count(len(part), 0)
	}
	s.count(0, len(rows)-len(send))
	if err := s.touch(ctx, len(rows), func(i int) (uuid.UUID, time.Time) {
		_, at, user := o.row(&rows[i])
		return user, at
	}); err != nil {
		return shipped, false, err
	}
	if err := o.remove(ctx, s.PG, seqs); err != nil {
		return shipped, false, err
	}
	return shipped, len(rows) == s.BatchSize, nil
}

// touch moves the users' last_active forward to their newest shipped event. It is done here,
// by the one shipper, rather than in each batch's transaction: concurrent batches updating
// the same active users' rows waited on each other and deadlocked, for a field no figure
// reads. It only ever moves forward, so doing it again after a crash changes nothing.
func (s *Shipper) touch(ctx context.Context, n int, row func(int) (uuid.UUID, time.Time)) error {
	newest := map[uuid.UUID]time.Time{}
	for i := range n {
		id, at := row(i)
		if at.After(newest[id]) {
			newest[id] = at
		}
	}
	ids := make([]uuid.UUID, 0, len(newest))
	for id := range newest {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	ats := make([]time.Time, len(ids))
	for i, id := range ids {
		ats[i] = newest[id]
	}
	return queries.IngestTouchUsers(ctx, s.PG, ids, ats)
}

type shippedFunc func(ctx context.Context, ch driver.Conn, first, last calendar.Date, from, to uint64) (map[uint64]bool, error)

// unshipped returns the indexes of the n rows still to send: all of them, unless an earlier
// insert's outcome is unknown, in which case ClickHouse is asked which are already there.
func (s *Shipper) unshipped(ctx context.Context, n int, row func(int) (uint64, time.Time), probe shippedFunc) ([]int, error) {
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	s.mu.Lock()
	uncertain := s.uncertain
	s.mu.Unlock()
	if !uncertain {
		return all, nil
	}
	lo, at := row(0)
	hi, first, last := lo, at, at
	for i := 1; i < n; i++ {
		seq, at := row(i)
		lo, hi = min(lo, seq), max(hi, seq)
		if at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	probeCtx, cancel := context.WithTimeout(ctx, s.InsertTimeout)
	defer cancel()
	there, err := probe(probeCtx, s.CH, calendar.DateOf(first), calendar.DateOf(last), lo, hi)
	if err != nil {
		return nil, fmt.Errorf("asking ClickHouse what has landed: %w", err)
	}
	s.mu.Lock()
	s.stats.Probes++
	s.mu.Unlock()
	var send []int
	for _, i := range all {
		if seq, _ := row(i); !there[seq] {
			send = append(send, i)
		}
	}
	return send, nil
}

// insert runs one ClickHouse insert; while it is in flight its outcome is unknown.
func (s *Shipper) insert(ctx context.Context, run func(context.Context) error) error {
	s.mu.Lock()
	s.uncertain = true
	s.mu.Unlock()
	insertCtx, cancel := context.WithTimeout(ctx, s.InsertTimeout)
	defer cancel()
	if err := run(insertCtx); err != nil {
		return fmt.Errorf("inserting into ClickHouse: %w", err)
	}
	s.mu.Lock()
	s.uncertain = false
	s.mu.Unlock()
	return nil
}

func (s *Shipper) count(shipped, skipped int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Shipped += int64(shipped)
	s.stats.Skipped += int64(skipped)
}

// byMonth groups row indexes by the SAST month of their time (ClickHouse partitions by
// month), keeping their order.
func byMonth(idx []int, at func(int) time.Time) [][]int {
	var out [][]int
	pos := map[calendar.Date]int{}
	for _, i := range idx {
		m := calendar.DateOf(at(i)).MonthStart()
		k, ok := pos[m]
		if !ok {
			k = len(out)
			pos[m] = k
			out = append(out, nil)
		}
		out[k] = append(out[k], i)
	}
	return out
}
