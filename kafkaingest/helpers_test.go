package kafkaingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"mari/dbtest"
	"mari/events"
	"mari/ingest"
	it "mari/ingest/ingesttest"
)

// testNow is the clock of the tests' Store: events are stamped on 2026-11-30, before it.
var testNow = dbtest.SAST("2026-11-30 23:00:00")

// partitions per topic: enough that a batch mixes partitions and two members share them.
const partitions = 4

// cluster is an in-process Kafka with the event topics and their dead-letter topics.
type cluster struct {
	*kfake.Cluster
	addrs []string
	admin *kadm.Client
}

func newCluster(t testing.TB) *cluster {
	t.Helper()
	var topics []string
	for _, tp := range events.Topics {
		topics = append(topics, string(tp), tp.DeadLetterTopic())
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topics...),
		kfake.GroupMinSessionTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &cluster{Cluster: c, addrs: c.ListenAddrs(), admin: kadm.NewClient(cl)}
}

// fastGroup are group timings for a broker in the same process: a member that joins or
// leaves is noticed in a fraction of a second, not the production defaults' seconds.
func fastGroup() []kgo.Opt {
	return []kgo.Opt{
		kgo.SessionTimeout(3 * time.Second),
		kgo.HeartbeatInterval(100 * time.Millisecond),
		kgo.RebalanceTimeout(5 * time.Second),
		kgo.FetchMaxWait(100 * time.Millisecond),
		kgo.MetadataMinAge(100 * time.Millisecond),
		kgo.RetryBackoffFn(func(int) time.Duration { return 50 * time.Millisecond }),
	}
}

// record is an event as its producer sends it: keyed by payment or user, so one payment's
// events stay in order on one partition.
func record(t testing.TB, e events.Event) *kgo.Record {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return &kgo.Record{Topic: string(e.Topic()), Key: key(e), Value: b}
}

func key(e events.Event) []byte {
	switch {
	case e.Transaction != nil:
		return []byte(e.Transaction.TransactionID.String())
	case e.User != nil:
		return []byte(e.User.UserID.String())
	default:
		return []byte(e.Activity.UserID.String())
	}
}

func (c *cluster) produce(t testing.TB, recs ...*kgo.Record) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.addrs...), kgo.ProducerLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

func (c *cluster) produceEvents(t testing.TB, evs []events.Event) {
	t.Helper()
	recs := make([]*kgo.Record, len(evs))
	for i, e := range evs {
		recs[i] = record(t, e)
	}
	c.produce(t, recs...)
}

// sumOffsets adds the end offsets of topics: how many records they hold.
func (c *cluster) endOffsets(t testing.TB, topics ...string) int64 {
	t.Helper()
	ends, err := c.admin.ListEndOffsets(context.Background(), topics...)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			t.Fatalf("end offset %s/%d: %v", o.Topic, o.Partition, o.Err)
		}
		n += o.Offset
	})
	return n
}

// committed adds group's committed offsets over the event topics: how many records it has
// finished with.
func (c *cluster) committed(t testing.TB, group string) int64 {
	t.Helper()
	offs, err := c.admin.FetchOffsets(context.Background(), group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		return 0 // not formed yet
	}
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	offs.Each(func(o kadm.OffsetResponse) {
		if _, ok := events.ParseTopic(o.Topic); ok && o.Err == nil && o.At > 0 {
			n += o.At
		}
	})
	return n
}

func eventTopics() []string {
	out := make([]string, len(events.Topics))
	for i, tp := range events.Topics {
		out[i] = string(tp)
	}
	return out
}

// deadLetters reads every record of the dead-letter topics.
func (c *cluster) deadLetters(t testing.TB) []*kgo.Record {
	t.Helper()
	var dlq []string
	for _, tp := range events.Topics {
		dlq = append(dlq, tp.DeadLetterTopic())
	}
	want := c.endOffsets(t, dlq...)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.addrs...), kgo.ConsumeTopics(dlq...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []*kgo.Record
	for int64(len(out)) < want {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of the %d dead-letter records", len(out), want)
		}
		out = append(out, f.Records()...)
	}
	return out
}

// testConsumer is a consumer with the tests' fast timings, over store.
func testConsumer(t testing.TB, c *cluster, store *ingest.Store, group string, batch int) *Consumer {
	t.Helper()
	con, err := New(store, Options{
		Brokers: c.addrs, Group: group, BatchRecords: batch, BatchWait: 200 * time.Millisecond,
		ReleaseEvery: 200 * time.Millisecond, RetryMin: 50 * time.Millisecond, RetryMax: 400 * time.Millisecond,
		Client: fastGroup(),
	}, quietLog(t))
	if err != nil {
		t.Fatal(err)
	}
	return con
}

// running is a consumer's Run in the background.
type running struct {
	*Consumer
	cancel context.CancelFunc
	done   chan error
}

func start(con *Consumer) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Consumer: con, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- con.Run(ctx) }()
	return r
}

// stop ends Run and returns its error.
func (r *running) stop(t testing.TB) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("consumer did not stop within 20 s")
		return nil
	}
}

// quietLog keeps the consumers' warnings in the test log (shown on failure or with -v).
func quietLog(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

var _ io.Writer = testWriter{}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", within, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitCommitted waits until group has committed every record of the event topics.
func (c *cluster) waitCommitted(t testing.TB, group string, within time.Duration) {
	t.Helper()
	total := c.endOffsets(t, eventTopics()...)
	waitFor(t, within, fmt.Sprintf("group %s to commit all %d records", group, total), func() bool {
		return c.committed(t, group) == total
	})
}

func testStore(pg *pgxpool.Pool) *ingest.Store {
	s := ingest.NewStore(pg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Parser.Now = func() time.Time { return testNow }
	s.Now = func() time.Time { return testNow }
	return s
}

// world is a database with the bank payments go through and users u0..u(n-1).
func world(t testing.TB, users int) *dbtest.DB {
	t.Helper()
	db := dbtest.New(t)
	dbtest.Bank{Code: it.Bank, Start: "2025-01-01"}.Insert(t, db)
	for i := range users {
		dbtest.User{Name: fmt.Sprintf("u%d", i), Created: "2026-01-05 09:00:00"}.Insert(t, db)
	}
	return db
}

// payments is the story of n payments between users u0..u(users-1), from prefix: payment i
// of R(100.25 + i) goes initiated, seal captured, submitted, then failed when i%4 == 3 and
// completed otherwise, a minute after the one before.
func payments(prefix string, n, users int, from time.Time) []events.Event {
	var out []events.Event
	for i := range n {
		tx := fmt.Sprintf("%s-%d", prefix, i)
		sender, recipient := fmt.Sprintf("u%d", i%users), fmt.Sprintf("u%d", (i+1)%users)
		at := from.Add(time.Duration(i) * time.Minute)
		amount := fmt.Sprintf("%d.25", 100+i)
		out = append(out,
			it.Initiated(tx+"-i", tx, sender, recipient, amount, at),
			it.Step(tx+"-s", tx, sender, events.PhysicsSealCaptured, at.Add(time.Second)),
			it.Step(tx+"-u", tx, sender, events.Submitted, at.Add(2*time.Second)))
		if i%4 == 3 {
			out = append(out, it.Final(tx+"-f", tx, sender, events.Failed, at.Add(3*time.Second), 900, "insufficient_funds"))
		} else {
			out = append(out, it.Final(tx+"-c", tx, sender, events.Completed, at.Add(3*time.Second), 1200, ""))
		}
	}
	return out
}

// activities is n logins spread over users u0..u(users-1).
func activities(prefix string, n, users int, from time.Time) []events.Event {
	out := make([]events.Event, n)
	for i := range n {
		out[i] = it.Activity(fmt.Sprintf("%s-%d", prefix, i), fmt.Sprintf("u%d", i%users), "login",
			from.Add(time.Duration(i)*time.Second))
	}
	return out
}

// figures is what PostgreSQL holds, in one line a failure message can show.
type figures struct {
	Transactions, Completed, Failed, Ledger, OutboxTx, OutboxAct, Held, Dead int64
	Amount                                                                   string
}

func pgFigures(t testing.TB, db *dbtest.DB) figures {
	t.Helper()
	return figures{
		Transactions: db.Int(t, `SELECT count(*) FROM transactions`),
		Completed:    db.Int(t, `SELECT count(*) FROM transactions WHERE status = 'COMPLETED'`),
		Failed:       db.Int(t, `SELECT count(*) FROM transactions WHERE status = 'FAILED'`),
		Amount:       db.Text(t, `SELECT coalesce(sum(amount), 0)::text FROM transactions`),
		Ledger:       db.Int(t, `SELECT count(*) FROM ingest_ledger`),
		OutboxTx:     db.Int(t, `SELECT count(*) FROM ch_outbox_transaction_events`),
		OutboxAct:    db.Int(t, `SELECT count(*) FROM ch_outbox_user_activity`),
		Held:         db.Int(t, `SELECT count(*) FROM ingest_held`),
		Dead:         db.Int(t, `SELECT count(*) FROM ingest_dead_letters`),
	}
}

// shipAll moves the outbox to ClickHouse and returns ClickHouse's figures: transaction event
// rows, their amount, activity rows.
func shipAll(t testing.TB, db *dbtest.DB) string {
	t.Helper()
	if _, err := ingest.NewShipper(db.PG, db.CH, nil).ShipAll(context.Background()); err != nil {
		t.Fatalf("ship: %v", err)
	}
	return fmt.Sprintf("events=%s amount=%s activity=%s",
		db.CHText(t, `SELECT toString(count()) FROM transaction_events`),
		db.CHText(t, `SELECT toString(sum(amount)) FROM transaction_events`),
		db.CHText(t, `SELECT toString(count()) FROM user_activity`))
}

// viaProxy is a pool to db's PostgreSQL through a proxy the test can cut.
func viaProxy(t testing.TB, db *dbtest.DB) (*pgxpool.Pool, *dbtest.TCPProxy) {
	t.Helper()
	u, err := url.Parse(db.PGURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := dbtest.NewTCPProxy(t, u.Host)
	u.Host = proxy.Addr()
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, proxy
}

var groupSeq struct {
	sync.Mutex
	n int
}

// group names a fresh consumer group.
func group(t testing.TB) string {
	groupSeq.Lock()
	defer groupSeq.Unlock()
	groupSeq.n++
	return fmt.Sprintf("%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), groupSeq.n)
}
