package queries

import (
	"context"
	"time"
)

// AuditRow is one audit_log entry.
type AuditRow struct {
	ID         int64
	At         time.Time
	ActorID    *int64
	ActorEmail string
	Action     string
	Target     string
	Detail     string
	IP         string
}

// InsertAudit appends one entry.
func InsertAudit(ctx context.Context, q Querier, r AuditRow) error {
	_, err := q.Exec(ctx, SQL("pg/audit_insert"), r.At, r.ActorID, r.ActorEmail, r.Action, r.Target, r.Detail, r.IP)
	return err
}

// RecentAudit lists the newest entries, of one action or all (action "").
func RecentAudit(ctx context.Context, q Querier, action string, limit int) ([]AuditRow, error) {
	rows, err := q.Query(ctx, SQL("pg/audit_recent"), action, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditRow
	for rows.Next() {
		var r AuditRow
		if err := rows.Scan(&r.ID, &r.At, &r.ActorID, &r.ActorEmail, &r.Action, &r.Target, &r.Detail, &r.IP); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
