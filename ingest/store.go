// Package ingest applies streamed events exactly once: each batch, from HTTP or Kafka, is
// judged and written in one PostgreSQL transaction (the ledger of seen event ids, users,
// payments as a state machine, the outbox of rows for ClickHouse, held events, dead letters),
// and a shipper moves the outbox to ClickHouse without ever inserting a row twice.
package ingest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mari/calendar"
	"mari/events"
	"mari/queries"
)

// Line is one received event, not yet read.
type Line struct {
	Topic  events.Topic
	Data   []byte
	Source string // where it came from, for people: "http token NAME line 3", "kafka transaction-events/2@17"
}

// Rejection is a line that will never be applied, and why.
type Rejection struct {
	Index int // position in the batch, from 0
	Error string
}

// Result is what became of a batch. Every line is counted once: accepted (applied now),
// duplicate (seen before, or earlier in the same batch), held (waiting for its user or
// payment; applied when that arrives) or rejected.
type Result struct {
	Accepted   int
	Duplicates int
	Held       int
	Rejected   []Rejection
}

// Store applies batches to PostgreSQL.
type Store struct {
	PG     queries.DB
	Parser events.Parser
	Now    func() time.Time
	Log    *slog.Logger
	// Committed, when set, is called after each batch that applied something commits: the
	// shipper and the live figures wake up on it instead of polling.
	Committed func()
	// Tallied, when set, is told what each committed batch did, and which held events expired
	// into the dead letters: the metrics count from it (package telemetry). nil: nobody counts.
	Tallied func(Tally)
}

// NewStore returns a Store over pg with the wall clock.
func NewStore(pg queries.DB, log *slog.Logger) *Store {
	if log == nil {
		log = slog.Default()
	}
	return &Store{PG: pg, Parser: events.Parser{Now: time.Now}, Now: time.Now, Log: log}
}

// attempts bounds the retries of a batch that met a concurrent one (a deadlock, a row the
// other inserted first); each retry sees the other's committed rows.
const attempts = 5

// errRace is a batch that found a row another transaction inserted after it looked.
var errRace = errors.New("a concurrent batch wrote the same rows")

// Ingest judges and applies lines. An error means nothing was written (the database was
// unreachable or the batch kept meeting concurrent ones): deliver the same lines again.
func (s *Store) Ingest(ctx context.Context, lines []Line) (Result, error) {
	return s.ingest(ctx, lines, false)
}

type parsed struct {
	index int
	line  *Line
	ev    events.Event
}

func (s *Store) ingest(ctx context.Context, lines []Line, releasing bool) (Result, error) {
	var res Result
	var dead []queries.IngestDeadLetterRow
	var evs []parsed
	var early Tally // what is known before the transaction: malformed lines, repeats within the batch
	seen := map[uuid.UUID]bool{}
	for i := range lines {
		l := &lines[i]
		ev, err := s.Parser.Parse(l.Topic, l.Data)
		if err != nil {
			res.Rejected = append(res.Rejected, Rejection{Index: i, Error: err.Error()})
			dead = append(dead, deadLetter(l, uuid.Nil, err.Error()))
			tt := early.topic(l.Topic)
			tt.Rejected++
			tt.DeadLetters++
			continue
		}
		if seen[ev.ID()] {
			res.Duplicates++
			early.topic(ev.Topic()).Duplicates++
			continue
		}
		seen[ev.ID()] = true
		evs = append(evs, parsed{index: i, line: l, ev: ev})
	}
	var out batchOutcome
	var err error
	for try := 1; ; try++ {
		out, err = s.apply(ctx, evs, dead, releasing)
		if err == nil || try == attempts || !retryable(err) {
			break
		}
		s.Log.Debug("ingest: retrying a batch that met a concurrent one", "try", try, "err", err)
	}
	if err != nil {
		return Result{}, err
	}
	res.Accepted, res.Duplicates, res.Held = out.applied, res.Duplicates+out.duplicates, out.held
	res.Rejected = append(res.Rejected, out.rejected...)
	sortRejections(res.Rejected)
	if out.applied > 0 && s.Committed != nil {
		s.Committed()
	}
	if s.Tallied != nil && len(lines) > 0 {
		early.add(out.tally)
		if releasing {
			early = early.asRelease()
		}
		s.Tallied(early)
	}
	return res, nil
}

func retryable(err error) bool {
	if errors.Is(err, errRace) {
		return true
	}
	var pgErr *pgconn.PgError
	// deadlock_detected, serialization_failure, unique_violation (a row inserted after our read)
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001" || pgErr.Code == "23505")
}

type batchOutcome struct {
	applied, duplicates, held int
	rejected                  []Rejection
	tally                     Tally // what the attempt did, for Store.Tallied once it has committed
}

// apply runs one attempt of a batch in one transaction.
func (s *Store) apply(ctx context.Context, evs []parsed, dead []queries.IngestDeadLetterRow, releasing bool) (batchOutcome, error) {
	var out batchOutcome
	now := s.Now()
	tx, err := s.PG.Begin(ctx)
	if err != nil {
		return out, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	ids := make([]uuid.UUID, len(evs))
	topics := make([]string, len(evs))
	for i, p := range evs {
		ids[i], topics[i] = p.ev.ID(), string(p.ev.Topic())
	}
	var fresh []parsed
	if len(evs) > 0 {
		isNew, err := queries.IngestClaim(ctx, tx, ids, topics, now)
		if err != nil {
			return out, err
		}
		for _, p := range evs {
			if isNew[p.ev.ID()] {
				fresh = append(fresh, p)
			} else {
				out.duplicates++
			}
		}
	}
	freshEvents := make([]events.Event, len(fresh))
	for i, p := range fresh {
		freshEvents[i] = p.ev
	}
	w, err := loadWorld(ctx, tx, freshEvents)
	if err != nil {
		return out, err
	}
	decisions, fx := decide(freshEvents, w)

	var held []queries.IngestHeldRow
	var unclaim, settled []uuid.UUID
	for i, d := range decisions {
		p := fresh[i]
		switch d.Fate {
		case Apply:
			out.applied++
			settled = append(settled, p.ev.ID())
		case Hold:
			out.held++
			unclaim = append(unclaim, p.ev.ID())
			payload, err := p.ev.MarshalJSON()
			if err != nil {
				return out, err
			}
			held = append(held, queries.IngestHeldRow{EventID: p.ev.ID(), Topic: string(p.ev.Topic()),
				Payload: string(payload), WaitingFor: d.Reason, Source: clip(p.line.Source, 200), At: now})
		case Reject:
			out.rejected = append(out.rejected, Rejection{Index: p.index, Error: d.Reason})
			unclaim = append(unclaim, p.ev.ID())
			settled = append(settled, p.ev.ID())
			dead = append(dead, deadLetter(p.line, p.ev.ID(), d.Reason))
		}
	}
	if err := writeEffects(ctx, tx, fx); err != nil {
		return out, err
	}
	if err := queries.MarkStaleDays(ctx, tx, staleDays(fx, calendar.Today(now)), now); err != nil {
		return out, err
	}
	if err := queries.IngestHold(ctx, tx, held); err != nil {
		return out, err
	}
	if err := queries.IngestUnclaim(ctx, tx, unclaim); err != nil {
		return out, err
	}
	if releasing {
		// Held events settled now, and held events delivered again by their producer and
		// applied meanwhile (duplicates here), leave the held list.
		done := settled
		freshIDs := make(map[uuid.UUID]bool, len(fresh))
		for _, p := range fresh {
			freshIDs[p.ev.ID()] = true
		}
		for _, p := range evs {
			if !freshIDs[p.ev.ID()] {
				done = append(done, p.ev.ID())
			}
		}
		if err := queries.IngestUnhold(ctx, tx, done); err != nil {
			return out, err
		}
	}
	if err := queries.IngestDeadLetter(ctx, tx, distinctDead(dead), now); err != nil {
		return out, err
	}
	out.tally = tallyBatch(evs, fresh, decisions, fx)
	return out, tx.Commit(ctx)
}

// loadWorld reads what the events refer to: users, banks, payments (locked), the owners of the
// unique hashes they carry.
func loadWorld(ctx context.Context, tx pgx.Tx, evs []events.Event) (*World, error) {
	w := &World{
		Users: map[uuid.UUID]bool{}, Banks: map[string]bool{}, Transactions: map[uuid.UUID]*TxState{},
		SealOwner: map[string]uuid.UUID{}, PhoneOwner: map[string]uuid.UUID{}, BloodOwner: map[string]uuid.UUID{},
	}
	if len(evs) == 0 {
		return w, nil
	}
	userSet, txSet := map[uuid.UUID]bool{}, map[uuid.UUID]bool{}
	var phones, bloods, seals []string
	addUser := func(id uuid.UUID) {
		if id != uuid.Nil {
			userSet[id] = true
		}
	}
	for _, e := range evs {
		switch {
		case e.Transaction != nil:
			t := e.Transaction
			txSet[t.TransactionID] = true
			addUser(t.UserID)
			addUser(t.RecipientID)
			if t.PhysicsSealHash != "" {
				seals = append(seals, t.PhysicsSealHash)
			}
		case e.User != nil:
			addUser(e.User.UserID)
			addUser(e.User.ReferrerUserID)
			if e.User.EventType == events.SignedUp {
				phones = append(phones, e.User.PhoneNumberHash)
				bloods = append(bloods, e.User.BloodHash)
			}
		default:
			addUser(e.Activity.UserID)
		}
	}
	users, err := queries.IngestKnownUsers(ctx, tx, keys(userSet), phones, bloods)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if userSet[u.ID] {
			w.Users[u.ID] = true
		}
		w.PhoneOwner[u.PhoneHash] = u.ID
		w.BloodOwner[u.BloodHash] = u.ID
	}
	banks, err := queries.IngestBankCodes(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, b := range banks {
		w.Banks[b] = true
	}
	if len(txSet) > 0 {
		txs, err := queries.IngestTransactionsForUpdate(ctx, tx, keys(txSet))
		if err != nil {
			return nil, err
		}
		for _, t := range txs {
			st := &TxState{Sender: t.Sender, Amount: t.Amount, Currency: t.Currency, BankID: t.BankID,
				Channel: t.Channel, DeviceType: t.DeviceType, CreatedAt: t.CreatedAt, Status: t.Status}
			if t.CompletedAt != nil {
				st.FinalAt = *t.CompletedAt
			}
			w.Transactions[t.ID] = st
		}
	}
	if len(seals) > 0 {
		if w.SealOwner, err = queries.IngestSealOwners(ctx, tx, seals); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func keys(set map[uuid.UUID]bool) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	return out
}

// writeEffects writes what the applied events change. A count short of what the state machine
// decided means a concurrent batch got there between our read and our write: errRace, and the
// batch is tried again from the start.
func writeEffects(ctx context.Context, tx pgx.Tx, fx *Effects) error {
	var users []queries.IngestNewUser
	for _, u := range fx.NewUsers {
		users = append(users, queries.IngestNewUser{ID: u.UserID, Phone: u.PhoneNumberHash, Blood: u.BloodHash,
			DeviceKey: u.DevicePublicKey, At: u.Timestamp, Source: u.SignupSource, Referrer: u.ReferrerUserID,
			PromoBank: u.PromoBankCode})
	}
	if n, err := queries.IngestInsertUsers(ctx, tx, users); err != nil {
		return err
	} else if n != int64(len(users)) {
		return errRace
	}
	// A payment initiated and finalised in the same batch is inserted in its final state.
	finalOf := map[uuid.UUID]*queries.IngestFinal{}
	var finals []queries.IngestFinal
	for _, f := range fx.Finals {
		status := "COMPLETED"
		if f.EventType == events.Failed {
			status = "FAILED"
		}
		finals = append(finals, queries.IngestFinal{ID: f.TransactionID, Status: status, At: f.Timestamp,
			MS: *f.ProcessingTimeMS, Reason: f.FailureReason})
	}
	for i := range finals {
		finalOf[finals[i].ID] = &finals[i]
	}
	var txs []queries.IngestNewTx
	for _, t := range fx.NewTx {
		txs = append(txs, queries.IngestNewTx{ID: t.TransactionID, Sender: t.UserID, Recipient: t.RecipientID,
			Amount: t.Amount.Decimal, Currency: t.Currency, Seal: t.PhysicsSealHash, Bank: t.BankID, At: t.Timestamp,
			Channel: t.Channel, Device: t.DeviceType, AppVersion: t.AppVersion, Final: finalOf[t.TransactionID]})
		delete(finalOf, t.TransactionID)
	}
	if n, err := queries.IngestInsertTransactions(ctx, tx, txs); err != nil {
		return err
	} else if n != int64(len(txs)) {
		return errRace
	}
	var later []queries.IngestFinal
	for _, f := range finals {
		if finalOf[f.ID] != nil { // not inserted final above: a payment already stored
			later = append(later, f)
		}
	}
	if n, err := queries.IngestFinalizeTransactions(ctx, tx, later); err != nil {
		return err
	} else if n != int64(len(later)) {
		return errRace
	}
	var sIDs []uuid.UUID
	var sStatus []string
	var sAt []time.Time
	for id, e := range fx.StatusChanges {
		sIDs, sStatus, sAt = append(sIDs, id), append(sStatus, e.Status), append(sAt, e.Timestamp)
	}
	if err := queries.IngestChangeStatus(ctx, tx, sIDs, sStatus, sAt); err != nil {
		return err
	}
	rows := make([]queries.OutboxTxEvent, len(fx.TxRows))
	for i, r := range fx.TxRows {
		e, st := r.Event, r.State
		row := queries.OutboxTxEvent{EventID: e.EventID, TxID: e.TransactionID, UserID: e.UserID,
			EventType: e.EventType, At: e.Timestamp, Amount: st.Amount, Currency: st.Currency, BankID: st.BankID,
			Device: st.DeviceType, Channel: st.Channel, FailureReason: e.FailureReason, ErrorCode: e.ErrorCode}
		if e.DeviceType != "" {
			row.Device = e.DeviceType
		}
		if e.ProcessingTimeMS != nil {
			row.ProcessingMS = *e.ProcessingTimeMS
		}
		if e.SentinelScore != nil {
			row.Sentinel = *e.SentinelScore
		}
		rows[i] = row
	}
	if err := queries.IngestOutboxTxEvents(ctx, tx, rows); err != nil {
		return err
	}
	acts := make([]queries.OutboxActivity, len(fx.ActivityRows))
	for i, a := range fx.ActivityRows {
		acts[i] = queries.OutboxActivity{EventID: a.EventID, UserID: a.UserID, ActivityType: a.ActivityType,
			At: a.Timestamp, Device: a.DeviceType, AppVersion: a.AppVersion, LocationHash: a.LocationHash}
	}
	return queries.IngestOutboxActivity(ctx, tx, acts)
}

// staleDays are the past days whose rollups the batch changes: the sign-up day of a new user,
// the day a payment was initiated (rollups count payments by that day) for a new or finalised
// one. Today's are left out: today is refreshed whenever events arrive.
func staleDays(fx *Effects, today calendar.Date) []calendar.Date {
	seen := map[calendar.Date]bool{}
	add := func(t time.Time) {
		if d := calendar.DateOf(t); d.Before(today) {
			seen[d] = true
		}
	}
	for _, u := range fx.NewUsers {
		add(u.Timestamp)
	}
	for _, r := range fx.TxRows {
		if r.Event.EventType == events.Initiated || r.Event.Final() {
			add(r.State.CreatedAt)
		}
	}
	out := make([]calendar.Date, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b calendar.Date) int { return a.Time().Compare(b.Time()) })
	return out
}

// maxDeadPayload is how much of a dead letter's line is kept.
const maxDeadPayload = 4 << 10

func deadLetter(l *Line, id uuid.UUID, reason string) queries.IngestDeadLetterRow {
	sum := sha256.Sum256(append([]byte(string(l.Topic)+"\n"), l.Data...))
	return queries.IngestDeadLetterRow{Fingerprint: sum[:], Topic: string(l.Topic), Source: clip(l.Source, 200),
		EventID: id, Reason: clip(reason, 2000), Payload: printable(l.Data, maxDeadPayload)}
}

// printable is data as PostgreSQL text can hold it: valid UTF-8, NUL bytes written as \0,
// cut at max bytes.
func printable(data []byte, max int) string {
	cut := len(data) > max
	if cut {
		data = data[:max]
	}
	s := strings.ReplaceAll(strings.ToValidUTF8(string(data), "\uFFFD"), "\x00", `\0`)
	if cut {
		s += fmt.Sprintf("… (%d bytes kept)", max)
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func distinctDead(ds []queries.IngestDeadLetterRow) []queries.IngestDeadLetterRow {
	seen := map[string]bool{}
	out := ds[:0:0]
	for _, d := range ds {
		if !seen[string(d.Fingerprint)] {
			seen[string(d.Fingerprint)] = true
			out = append(out, d)
		}
	}
	return out
}

func sortRejections(rs []Rejection) {
	slices.SortStableFunc(rs, func(a, b Rejection) int { return a.Index - b.Index })
}
