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

// AuditFilter chooses the entries of an audit page; zero values do not filter.
type AuditFilter struct {
	Action   string
	Actor    string     // text the actor's email contains, any case
	From, To *time.Time // the window [From, To)
	After    *AuditRow  // the previous page's last entry: the page continues after it
}

// AuditPage lists up to limit entries matching f, newest first.
func AuditPage(ctx context.Context, q Querier, f AuditFilter, limit int) ([]AuditRow, error) {
	var afterAt *time.Time
	var afterID *int64
	if f.After != nil {
		afterAt, afterID = &f.After.At, &f.After.ID
	}
	rows, err := q.Query(ctx, SQL("pg/audit_page"), f.Action, f.Actor, f.From, f.To, afterAt, afterID, limit)
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
