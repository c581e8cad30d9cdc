package demodata

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/big"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/queries"
)

func numeric(units int64, exp int32) pgtype.Numeric {
	return pgtype.Numeric{Int: big.NewInt(units), Exp: exp, Valid: true}
}

// pgDate is a DATE parameter: the calendar day itself, with no zone to shift it.
func pgDate(d calendar.Date) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

func dateOfMs(ms int64) calendar.Date { return calendar.DateOf(msTime(ms)) }

// loadPostgres writes everything PostgreSQL holds in one transaction: banks and users first
// (transactions reference them), then the payment stream as one COPY, then what is known only
// at the end (last_active, costs, incidents).
func (gen *generator) loadPostgres(ctx context.Context, pool *pgxpool.Pool, chunks <-chan *chunk, loaded *atomic.Int64, ready chan<- struct{}) (err error) {
	defer func() {
		for range chunks { // keep the generator from blocking after a failure
		}
	}()
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	copyRows := func(table string, cols []string, rows [][]any) error {
		n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		loaded.Add(n)
		if err != nil {
			return fmt.Errorf("PostgreSQL: copy %s: %w", table, err)
		}
		return nil
	}

	var rows [][]any
	for i := range gen.banks {
		b := &gen.banks[i]
		var end any
		updated := b.start.Start()
		if b.end != nil {
			end = pgDate(*b.end)
			updated = b.end.End()
		}
		rows = append(rows, []any{gen.g2uuid(i), b.name, b.code, b.status, pgDate(b.start), end,
			numeric(b.monthlyFeeRand*100, -2), numeric(3000, -4), b.slaP95ms, b.endpoint(), b.apiKeyHash,
			b.start.AddDays(-30).Start(), updated})
	}
	if err := copyRows("bank_partnerships", []string{"id", "bank_name", "bank_code", "status",
		"contract_start_date", "contract_end_date", "monthly_fee", "transaction_fee_percentage",
		"sla_p95_ms", "api_endpoint", "api_key_hash", "created_at", "updated_at"}, rows); err != nil {
		return err
	}

	users := gen.users
	i := 0
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "phone_number_hash", "blood_hash",
		"device_public_key", "created_at", "last_active", "status", "signup_source", "referrer_user_id",
		"promo_bank_code"}, pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(users) {
			return nil, nil
		}
		u := &users[i]
		i++
		var ref, promo any
		if u.referrer >= 0 {
			ref = users[u.referrer].id
		}
		if u.promoBank >= 0 {
			promo = gen.banks[u.promoBank].code
		}
		created := msTime(u.created)
		return []any{u.id, u.phoneHash, u.bloodHash, u.publicKey, created, created, u.status,
			sourceNames[u.source], ref, promo}, nil
	}))
	loaded.Add(n)
	if err != nil {
		return fmt.Errorf("PostgreSQL: copy users: %w", err)
	}

	close(ready) // banks and users are in: the reference data ClickHouse's rows point to
	src := &txSource{gen: gen, chunks: chunks, loaded: loaded}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"transactions"}, []string{"id", "sender_id", "recipient_id",
		"amount", "currency", "status", "physics_seal_hash", "bank_id", "bank_reference", "created_at",
		"completed_at", "channel", "device_type", "app_version", "processing_time_ms", "failure_reason",
		"is_fraud"}, src)
	if err != nil {
		return fmt.Errorf("PostgreSQL: copy transactions: %w", err)
	}
	if err := ctx.Err(); err != nil { // the generator stopped early: keep nothing
		return context.Cause(ctx)
	}

	// last_active is known only now; users were written with their sign-up time.
	if err := queries.DemoCreateLastActive(ctx, tx); err != nil {
		return err
	}
	rows = rows[:0]
	for i := range users {
		if users[i].lastActive != users[i].created {
			rows = append(rows, []any{users[i].id, msTime(users[i].lastActive)})
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"demo_last_active"}, []string{"id", "last_active"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("PostgreSQL: copy last_active: %w", err)
	}
	if err := queries.DemoApplyLastActive(ctx, tx); err != nil {
		return err
	}

	rows = rows[:0]
	for _, c := range buildCosts(newRNG(gen.o.Seed, 2), gen.months, gen.stats) {
		rows = append(rows, []any{pgDate(c.month), c.category, numeric(c.cents, -2)})
	}
	if err := copyRows("monthly_costs", []string{"month", "category", "amount"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, in := range gen.incidents {
		rows = append(rows, []any{in.title, in.severity, in.outage, msTime(in.start), msTime(in.end),
			in.description, msTime(in.start + 2*msPerMinute)})
	}
	if err := copyRows("incidents", []string{"title", "severity", "is_outage", "started_at", "ended_at",
		"description", "created_at"}, rows); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("PostgreSQL: commit: %w", err)
	}
	return nil
}

// g2uuid gives bank i a stable id derived from the seed (banks are few; they need no stream).
func (gen *generator) g2uuid(i int) [16]byte {
	return newRNG(gen.o.Seed, 100+uint64(i)).uuid()
}

// txSource feeds COPY transactions from the chunk stream.
type txSource struct {
	gen    *generator
	chunks <-chan *chunk
	loaded *atomic.Int64
	cur    []tx
	row    []any
}

func (s *txSource) Next() bool {
	for len(s.cur) == 0 {
		c, ok := <-s.chunks
		if !ok {
			return false
		}
		s.cur = c.txs
	}
	t := &s.cur[0]
	s.cur = s.cur[1:]
	s.loaded.Add(1)
	gen := s.gen
	var completedAt, proc, failure, version, bankRef any
	if t.status != pending {
		completedAt = msTime(t.completedAt())
		proc = t.procMs
		bankRef = fmt.Sprintf("%s%012d", gen.banks[t.bank].code, t.bankRef%1_000_000_000_000)
	}
	if t.failure >= 0 {
		failure = failureReasons[t.failure].reason
	}
	if t.version >= 0 {
		version = gen.releases[t.version].version
	}
	s.row = []any{t.id, gen.users[t.sender].id, gen.users[t.recipient].id, numeric(t.amount, -2), "ZAR",
		statusNames[t.status], hex.EncodeToString(t.seal[:]), gen.banks[t.bank].code, bankRef,
		msTime(t.created), completedAt, channelNames[t.ch], deviceNames[t.dev], version, proc, failure, t.fraud}
	return true
}

func (s *txSource) Values() ([]any, error) { return s.row, nil }
func (s *txSource) Err() error             { return nil }

// chBatchRows is the ClickHouse batch size: ~100k rows per batch is where inserts reach their
// speed on 18.16 (see the shared ClickHouse notes).
const chBatchRows = 100_000

// eventID derives the k-th event's id from its transaction's random id: unique, stable, and
// still a valid version-4 UUID.
func eventID(txID [16]byte, k int) uuid.UUID {
	id := txID
	mix := uint64(k+1) * 0x9E3779B97F4A7C15
	for j := range 8 {
		id[j] ^= byte(mix >> (8 * j))
	}
	id[6] = id[6]&0x0f | 0x40
	return uuid.UUID(id)
}

type eventColumns struct {
	eventID, txID, userID []uuid.UUID
	kind                  []string
	at                    []time.Time
	amount                []decimal.Decimal
	currency, bank, dev   []string
	channel               []string
	proc                  []uint32
	sentinel              []float32
	reason, code          []string
}

func (c *eventColumns) len() int { return len(c.kind) }

func (c *eventColumns) reset() { *c = eventColumns{} }

type activityColumns struct {
	userID                 []uuid.UUID
	kind                   []string
	at                     []time.Time
	dev, version, location []string
}

func (c *activityColumns) reset() { *c = activityColumns{} }

// loadClickHouse appends the event stream and app activity, column by column, in batches.
// It writes nothing until PostgreSQL has accepted the banks and users, so that the common
// failures (a database that is not empty, a schema that is not migrated) leave ClickHouse empty.
func (gen *generator) loadClickHouse(ctx context.Context, ch driver.Conn, chunks <-chan *chunk, loaded *atomic.Int64, pgReady <-chan struct{}) (err error) {
	defer func() {
		for range chunks {
		}
	}()
	var ev eventColumns
	var act activityColumns
	waitForPG := func() error {
		select {
		case <-pgReady:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	flushEvents := func() error {
		if ev.len() == 0 {
			return nil
		}
		if err := waitForPG(); err != nil {
			return err
		}
		err := sendColumns(ctx, ch, queries.SQL("ch/demo_insert_events"), ev.eventID, ev.txID, ev.userID,
			ev.kind, ev.at, ev.amount, ev.currency, ev.bank, ev.dev, ev.channel, ev.proc, ev.sentinel,
			ev.reason, ev.code)
		if err != nil {
			return fmt.Errorf("ClickHouse: insert transaction_events: %w", err)
		}
		loaded.Add(int64(ev.len()))
		ev.reset()
		return nil
	}
	flushActivity := func() error {
		if len(act.kind) == 0 {
			return nil
		}
		if err := waitForPG(); err != nil {
			return err
		}
		err := sendColumns(ctx, ch, queries.SQL("ch/demo_insert_activity"), act.userID, act.kind, act.at,
			act.dev, act.version, act.location)
		if err != nil {
			return fmt.Errorf("ClickHouse: insert user_activity: %w", err)
		}
		loaded.Add(int64(len(act.kind)))
		act.reset()
		return nil
	}
	for c := range chunks {
		for i := range c.txs {
			t := &c.txs[i]
			amount := decimal.New(t.amount, -2)
			bank := gen.banks[t.bank].code
			sender := uuid.UUID(gen.users[t.sender].id)
			for k, e := range t.events(gen.end) {
				if !e.ok {
					continue
				}
				var proc uint32
				var reason, code string
				if e.final {
					proc = uint32(t.procMs)
					if t.failure >= 0 {
						reason, code = failureReasons[t.failure].reason, failureReasons[t.failure].code
					}
				}
				ev.eventID = append(ev.eventID, eventID(t.id, k))
				ev.txID = append(ev.txID, uuid.UUID(t.id))
				ev.userID = append(ev.userID, sender)
				ev.kind = append(ev.kind, e.kind)
				ev.at = append(ev.at, msTime(e.at))
				ev.amount = append(ev.amount, amount)
				ev.currency = append(ev.currency, "ZAR")
				ev.bank = append(ev.bank, bank)
				ev.dev = append(ev.dev, deviceNames[t.dev])
				ev.channel = append(ev.channel, channelNames[t.ch])
				ev.proc = append(ev.proc, proc)
				ev.sentinel = append(ev.sentinel, t.sentinel)
				ev.reason = append(ev.reason, reason)
				ev.code = append(ev.code, code)
			}
		}
		for _, a := range c.acts {
			version := ""
			if a.version >= 0 {
				version = gen.releases[a.version].version
			}
			act.userID = append(act.userID, uuid.UUID(gen.users[a.user].id))
			act.kind = append(act.kind, activityNames[a.kind])
			act.at = append(act.at, msTime(a.at))
			act.dev = append(act.dev, deviceNames[a.dev])
			act.version = append(act.version, version)
			act.location = append(act.location, gen.locations[a.location])
		}
		if ev.len() >= chBatchRows {
			if err := flushEvents(); err != nil {
				return err
			}
		}
		if len(act.kind) >= chBatchRows {
			if err := flushActivity(); err != nil {
				return err
			}
		}
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if err := flushEvents(); err != nil {
		return err
	}
	return flushActivity()
}

// sendColumns sends one batch given as whole columns, in the statement's column order.
func sendColumns(ctx context.Context, ch driver.Conn, insert string, columns ...any) error {
	batch, err := ch.PrepareBatch(ctx, insert)
	if err != nil {
		return err
	}
	for i, col := range columns {
		if err := batch.Column(i).Append(col); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("column %d: %w", i, err)
		}
	}
	return batch.Send()
}
