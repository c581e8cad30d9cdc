package queries

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"mari/calendar"
)

// The outbox: rows applied in PostgreSQL waiting to be written to ClickHouse, and the
// ClickHouse side of shipping them.

// OutboxTxEventsNext returns up to limit of the oldest queued transaction events.
func OutboxTxEventsNext(ctx context.Context, q Querier, limit int) ([]OutboxTxEvent, error) {
	rows, err := q.Query(ctx, SQL("pg/outbox_transaction_events_next"), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxTxEvent, error) {
		var e OutboxTxEvent
		var amount string
		var seq int64
		err := r.Scan(&seq, &e.EventID, &e.TxID, &e.UserID, &e.EventType, &e.At, &amount, &e.Currency, &e.BankID,
			&e.Device, &e.Channel, &e.ProcessingMS, &e.Sentinel, &e.FailureReason, &e.ErrorCode)
		if err == nil {
			e.Seq = uint64(seq)
			e.Amount, err = decimal.NewFromString(amount)
		}
		return e, err
	})
}

// OutboxActivityNext returns up to limit of the oldest queued activity rows.
func OutboxActivityNext(ctx context.Context, q Querier, limit int) ([]OutboxActivity, error) {
	rows, err := q.Query(ctx, SQL("pg/outbox_activity_next"), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxActivity, error) {
		var a OutboxActivity
		var seq int64
		err := r.Scan(&seq, &a.EventID, &a.UserID, &a.ActivityType, &a.At, &a.Device, &a.AppVersion, &a.LocationHash)
		a.Seq = uint64(seq)
		return a, err
	})
}

// OutboxTxEventsDelete removes shipped transaction events.
func OutboxTxEventsDelete(ctx context.Context, q Querier, seqs []int64) error {
	_, err := q.Exec(ctx, SQL("pg/outbox_transaction_events_delete"), seqs)
	return err
}

// OutboxActivityDelete removes shipped activity rows.
func OutboxActivityDelete(ctx context.Context, q Querier, seqs []int64) error {
	_, err := q.Exec(ctx, SQL("pg/outbox_activity_delete"), seqs)
	return err
}

// OutboxBacklog is what waits for ClickHouse.
type OutboxBacklog struct {
	TxEvents, Activity int64
	Oldest             *time.Time // the oldest waiting event's own time
}

// OutboxBacklogNow counts the outbox.
func OutboxBacklogNow(ctx context.Context, q Querier) (OutboxBacklog, error) {
	var b OutboxBacklog
	err := q.QueryRow(ctx, SQL("pg/outbox_backlog")).Scan(&b.TxEvents, &b.Activity, &b.Oldest)
	return b, err
}

// IngestInsertTxEvents writes one insert of transaction events to ClickHouse. The caller keeps
// each insert within one month (one partition), so it lands whole or not at all.
func IngestInsertTxEvents(ctx context.Context, ch driver.Conn, rows []OutboxTxEvent) error {
	batch, err := ch.PrepareBatch(ctx, SQL("ch/ingest_insert_transaction_events"))
	if err != nil {
		return err
	}
	defer batch.Abort()
	for _, r := range rows {
		if err := batch.Append(r.EventID, r.TxID, r.UserID, r.EventType, r.At.UTC(), r.Amount, r.Currency,
			r.BankID, r.Device, r.Channel, uint32(r.ProcessingMS), r.Sentinel, r.FailureReason, r.ErrorCode, r.Seq); err != nil {
			return err
		}
	}
	return batch.Send()
}

// IngestInsertActivity writes one insert of user activity to ClickHouse (one month per insert,
// like IngestInsertTxEvents).
func IngestInsertActivity(ctx context.Context, ch driver.Conn, rows []OutboxActivity) error {
	batch, err := ch.PrepareBatch(ctx, SQL("ch/ingest_insert_activity"))
	if err != nil {
		return err
	}
	defer batch.Abort()
	for _, r := range rows {
		if err := batch.Append(r.EventID, r.UserID, r.ActivityType, r.At.UTC(), r.Device, r.AppVersion,
			r.LocationHash, r.Seq); err != nil {
			return err
		}
	}
	return batch.Send()
}

// IngestShippedTxEvents returns which sequence numbers within [from, to] ClickHouse already
// has, looking at the SAST days [first, last].
func IngestShippedTxEvents(ctx context.Context, ch driver.Conn, first, last calendar.Date, from, to uint64) (map[uint64]bool, error) {
	return shipped(ctx, ch, "ch/ingest_shipped_transaction_events", first, last, from, to)
}

// IngestShippedActivity is IngestShippedTxEvents for user activity.
func IngestShippedActivity(ctx context.Context, ch driver.Conn, first, last calendar.Date, from, to uint64) (map[uint64]bool, error) {
	return shipped(ctx, ch, "ch/ingest_shipped_activity", first, last, from, to)
}

func shipped(ctx context.Context, ch driver.Conn, name string, first, last calendar.Date, from, to uint64) (map[uint64]bool, error) {
	rows, err := ch.Query(ctx, SQL(name), first.String(), last.String(), from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint64]bool{}
	for rows.Next() {
		var seq uint64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		out[seq] = true
	}
	return out, rows.Err()
}
