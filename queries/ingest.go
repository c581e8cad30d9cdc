package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// The ingestion pipeline's statements: the ledger of seen events, the lookups the state
// machine judges a batch against, the effects of applied events, held events, dead letters.

// raw16 is ids as pgx encodes them directly: a uuid.UUID is a driver.Valuer, which pgx tries
// (and fails, building an error) before it falls back, a cost that showed in profiles of
// large batches.
func raw16(ids []uuid.UUID) [][16]byte {
	out := make([][16]byte, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// IngestClaim records ids as seen and returns those that were new.
func IngestClaim(ctx context.Context, q Querier, ids []uuid.UUID, topics []string, at time.Time) (map[uuid.UUID]bool, error) {
	rows, err := q.Query(ctx, SQL("pg/ingest_claim"), raw16(ids), topics, at)
	if err != nil {
		return nil, err
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]bool, len(got))
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}

// IngestUnclaim forgets ids (held or rejected events) so a later delivery is judged again.
func IngestUnclaim(ctx context.Context, q Querier, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := q.Exec(ctx, SQL("pg/ingest_unclaim"), raw16(ids))
	return err
}

// IngestUser is an existing user as the state machine needs them.
type IngestUser struct {
	ID        uuid.UUID
	PhoneHash string
	BloodHash string
}

// IngestKnownUsers returns the users among ids and the owners of the given hashes.
func IngestKnownUsers(ctx context.Context, q Querier, ids []uuid.UUID, phones, bloods []string) ([]IngestUser, error) {
	rows, err := q.Query(ctx, SQL("pg/ingest_known_users"), raw16(ids), phones, bloods)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (IngestUser, error) {
		var u IngestUser
		err := r.Scan(&u.ID, &u.PhoneHash, &u.BloodHash)
		return u, err
	})
}

// IngestBankCodes lists every bank partnership's code.
func IngestBankCodes(ctx context.Context, q Querier) ([]string, error) {
	rows, err := q.Query(ctx, SQL("pg/ingest_bank_codes"))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// IngestTx is a stored payment as the state machine needs it.
type IngestTx struct {
	ID          uuid.UUID
	Sender      uuid.UUID
	Amount      decimal.Decimal
	Currency    string
	BankID      string
	Channel     string
	DeviceType  string
	CreatedAt   time.Time
	Status      string
	CompletedAt *time.Time
}

// IngestTransactionsForUpdate reads and locks the payments with these ids.
func IngestTransactionsForUpdate(ctx context.Context, q Querier, ids []uuid.UUID) ([]IngestTx, error) {
	rows, err := q.Query(ctx, SQL("pg/ingest_transactions_for_update"), raw16(ids))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (IngestTx, error) {
		var t IngestTx
		var amount string
		err := r.Scan(&t.ID, &t.Sender, &amount, &t.Currency, &t.BankID, &t.Channel, &t.DeviceType,
			&t.CreatedAt, &t.Status, &t.CompletedAt)
		if err == nil {
			t.Amount, err = decimal.NewFromString(amount)
		}
		return t, err
	})
}

// IngestSealOwners maps each of these seal hashes already in use to its payment.
func IngestSealOwners(ctx context.Context, q Querier, seals []string) (map[string]uuid.UUID, error) {
	rows, err := q.Query(ctx, SQL("pg/ingest_seal_owners"), seals)
	if err != nil {
		return nil, err
	}
	out := map[string]uuid.UUID{}
	var seal string
	var id uuid.UUID
	_, err = pgx.ForEachRow(rows, []any{&seal, &id}, func() error {
		out[seal] = id
		return nil
	})
	return out, err
}

// IngestNewUser is a user from a signed_up event.
type IngestNewUser struct {
	ID           uuid.UUID
	Phone, Blood string
	DeviceKey    string
	At           time.Time
	Source       string
	Referrer     uuid.UUID // uuid.Nil: none
	PromoBank    string
}

// IngestInsertUsers inserts users and returns how many were new.
func IngestInsertUsers(ctx context.Context, q Querier, us []IngestNewUser) (int64, error) {
	if len(us) == 0 {
		return 0, nil
	}
	n := len(us)
	ids, phones, bloods, keys := make([]uuid.UUID, n), make([]string, n), make([]string, n), make([]string, n)
	ats, sources, referrers, promos := make([]time.Time, n), make([]string, n), make([]string, n), make([]string, n)
	for i, u := range us {
		ids[i], phones[i], bloods[i], keys[i], ats[i], sources[i], promos[i] = u.ID, u.Phone, u.Blood, u.DeviceKey, u.At, u.Source, u.PromoBank
		if u.Referrer != uuid.Nil {
			referrers[i] = u.Referrer.String()
		}
	}
	tag, err := q.Exec(ctx, SQL("pg/ingest_insert_users"), raw16(ids), phones, bloods, keys, ats, sources, referrers, promos)
	return tag.RowsAffected(), err
}

// IngestNewTx is a payment from an initiated event; Final, when set, is its completed or
// failed event from the same batch.
type IngestNewTx struct {
	ID, Sender, Recipient uuid.UUID
	Amount                decimal.Decimal
	Currency, Seal, Bank  string
	At                    time.Time
	Channel, Device       string
	AppVersion            string
	Final                 *IngestFinal
}

// IngestInsertTransactions inserts pending payments and returns how many were new.
func IngestInsertTransactions(ctx context.Context, q Querier, ts []IngestNewTx) (int64, error) {
	if len(ts) == 0 {
		return 0, nil
	}
	n := len(ts)
	ids, senders, recipients := make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n)
	amounts, currencies, seals, banks := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	ats, channels, devices, versions := make([]time.Time, n), make([]string, n), make([]string, n), make([]string, n)
	statuses, completed, ms, reasons := make([]string, n), make([]string, n), make([]int32, n), make([]string, n)
	for i, t := range ts {
		ids[i], senders[i], recipients[i] = t.ID, t.Sender, t.Recipient
		amounts[i], currencies[i], seals[i], banks[i] = t.Amount.StringFixed(2), t.Currency, t.Seal, t.Bank
		ats[i], channels[i], devices[i], versions[i] = t.At, t.Channel, t.Device, t.AppVersion
		statuses[i], ms[i] = "PENDING", -1
		if f := t.Final; f != nil {
			statuses[i], completed[i], ms[i], reasons[i] = f.Status, f.At.Format(time.RFC3339Nano), f.MS, f.Reason
		}
	}
	tag, err := q.Exec(ctx, SQL("pg/ingest_insert_transactions"), raw16(ids), raw16(senders), raw16(recipients), amounts, currencies,
		seals, banks, ats, channels, devices, versions, statuses, completed, ms, reasons)
	return tag.RowsAffected(), err
}

// IngestFinal is a payment's completed or failed event.
type IngestFinal struct {
	ID     uuid.UUID
	Status string // COMPLETED or FAILED
	At     time.Time
	MS     int32
	Reason string
}

// IngestFinalizeTransactions moves pending payments to their final state and returns how many
// moved.
func IngestFinalizeTransactions(ctx context.Context, q Querier, fs []IngestFinal) (int64, error) {
	if len(fs) == 0 {
		return 0, nil
	}
	n := len(fs)
	ids, statuses, ats, ms, reasons := make([]uuid.UUID, n), make([]string, n), make([]time.Time, n), make([]int32, n), make([]string, n)
	for i, f := range fs {
		ids[i], statuses[i], ats[i], ms[i], reasons[i] = f.ID, f.Status, f.At, f.MS, f.Reason
	}
	tag, err := q.Exec(ctx, SQL("pg/ingest_finalize_transactions"), raw16(ids), statuses, ats, ms, reasons)
	return tag.RowsAffected(), err
}

// IngestChangeStatus applies the newest status change of each user.
func IngestChangeStatus(ctx context.Context, q Querier, ids []uuid.UUID, statuses []string, ats []time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := q.Exec(ctx, SQL("pg/ingest_change_status"), raw16(ids), statuses, ats)
	return err
}

// IngestTouchUsers moves users' last_active forward.
func IngestTouchUsers(ctx context.Context, q Querier, ids []uuid.UUID, ats []time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := q.Exec(ctx, SQL("pg/ingest_touch_users"), raw16(ids), ats)
	return err
}

// IngestHeldRow is an event waiting for what it refers to.
type IngestHeldRow struct {
	EventID    uuid.UUID
	Topic      string
	Payload    string
	WaitingFor string
	Source     string
	At         time.Time
}

// IngestHold stores held events.
func IngestHold(ctx context.Context, q Querier, hs []IngestHeldRow) error {
	if len(hs) == 0 {
		return nil
	}
	n := len(hs)
	ids, topics, payloads, waits, sources, ats := make([]uuid.UUID, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]time.Time, n)
	for i, h := range hs {
		ids[i], topics[i], payloads[i], waits[i], sources[i], ats[i] = h.EventID, h.Topic, h.Payload, h.WaitingFor, h.Source, h.At
	}
	_, err := q.Exec(ctx, SQL("pg/ingest_hold"), raw16(ids), topics, payloads, waits, sources, ats)
	return err
}

// IngestUnhold removes events from the held list (applied or dead-lettered).
func IngestUnhold(ctx context.Context, q Querier, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := q.Exec(ctx, SQL("pg/ingest_unhold"), raw16(ids))
	return err
}

// IngestHeldDue returns up to limit held events of topic, oldest first, after the one held at
// afterAt with id afterID (zero values: from the first).
func IngestHeldDue(ctx context.Context, q Querier, topic string, limit int, afterAt time.Time, afterID uuid.UUID) ([]IngestHeldRow, error) {
	rows, err := q.Query(ctx, SQL("pg/ingest_held_due"), topic, limit, afterAt, [16]byte(afterID))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (IngestHeldRow, error) {
		h := IngestHeldRow{Topic: topic}
		err := r.Scan(&h.EventID, &h.Payload, &h.Source, &h.At)
		return h, err
	})
}

// IngestDeadLetterRow is one event that cannot be applied.
type IngestDeadLetterRow struct {
	Fingerprint []byte
	Topic       string
	Source      string
	EventID     uuid.UUID // uuid.Nil when unreadable
	Reason      string
	Payload     string
}

// IngestDeadLetter stores dead letters; rows must have distinct fingerprints.
func IngestDeadLetter(ctx context.Context, q Querier, ds []IngestDeadLetterRow, at time.Time) error {
	if len(ds) == 0 {
		return nil
	}
	n := len(ds)
	fps, topics, sources, ids, reasons, payloads := make([][]byte, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, d := range ds {
		fps[i], topics[i], sources[i], reasons[i], payloads[i] = d.Fingerprint, d.Topic, d.Source, d.Reason, d.Payload
		if d.EventID != uuid.Nil {
			ids[i] = d.EventID.String()
		}
	}
	_, err := q.Exec(ctx, SQL("pg/ingest_dead_letter"), fps, topics, sources, ids, reasons, payloads, at)
	return err
}

// OutboxTxEvent is a transaction_events row waiting for ClickHouse.
type OutboxTxEvent struct {
	Seq                      uint64
	EventID, TxID, UserID    uuid.UUID
	EventType                string
	At                       time.Time
	Amount                   decimal.Decimal
	Currency, BankID, Device string
	Channel                  string
	ProcessingMS             int32
	Sentinel                 float32
	FailureReason, ErrorCode string
}

// OutboxActivity is a user_activity row waiting for ClickHouse.
type OutboxActivity struct {
	Seq                              uint64
	EventID, UserID                  uuid.UUID
	ActivityType                     string
	At                               time.Time
	Device, AppVersion, LocationHash string
}

// IngestOutboxTxEvents queues transaction events for ClickHouse.
func IngestOutboxTxEvents(ctx context.Context, tx pgx.Tx, rows []OutboxTxEvent) error {
	if len(rows) == 0 {
		return nil
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"ch_outbox_transaction_events"},
		[]string{"event_id", "transaction_id", "user_id", "event_type", "at", "amount", "currency", "bank_id",
			"device_type", "channel", "processing_time_ms", "sentinel_score", "failure_reason", "error_code"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := &rows[i]
			return []any{[16]byte(r.EventID), [16]byte(r.TxID), [16]byte(r.UserID), r.EventType, r.At, r.Amount.StringFixed(2), r.Currency,
				r.BankID, r.Device, r.Channel, r.ProcessingMS, r.Sentinel, r.FailureReason, r.ErrorCode}, nil
		}))
	if err == nil && n != int64(len(rows)) {
		err = fmt.Errorf("outbox: copied %d of %d transaction events", n, len(rows))
	}
	return err
}

// IngestOutboxActivity queues user activity for ClickHouse.
func IngestOutboxActivity(ctx context.Context, tx pgx.Tx, rows []OutboxActivity) error {
	if len(rows) == 0 {
		return nil
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"ch_outbox_user_activity"},
		[]string{"event_id", "user_id", "activity_type", "at", "device_type", "app_version", "location_hash"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := &rows[i]
			return []any{[16]byte(r.EventID), [16]byte(r.UserID), r.ActivityType, r.At, r.Device, r.AppVersion, r.LocationHash}, nil
		}))
	if err == nil && n != int64(len(rows)) {
		err = fmt.Errorf("outbox: copied %d of %d activity rows", n, len(rows))
	}
	return err
}

// IngestExpireHeld dead-letters events held since before cutoff and returns how many of each
// topic.
func IngestExpireHeld(ctx context.Context, q Querier, cutoff, now time.Time) (map[string]int64, error) {
	rows, err := q.Query(ctx, SQL("pg/ingest_expire_held"), cutoff, now)
	if err != nil {
		return nil, err
	}
	topics, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	byTopic := map[string]int64{}
	for _, t := range topics {
		byTopic[t]++
	}
	return byTopic, nil
}

// IngestAnyHeld reports whether any event is waiting.
func IngestAnyHeld(ctx context.Context, q Querier) (bool, error) {
	var any bool
	err := q.QueryRow(ctx, SQL("pg/ingest_any_held")).Scan(&any)
	return any, err
}
