package alerts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"mari/queries"
)

// The rows of the alert tables, read and written with the statements of queries/pg/alert_*.

// scanRule reads the rule columns every rule statement selects first.
func scanRule(row pgx.Row, extra ...any) (Rule, error) {
	var r Rule
	var template, outcome, emails string
	var threshold, value *decimal.Decimal
	var window *int
	dest := []any{&r.ID, &r.Name, &template, &r.Bank, &threshold, &window, &r.ForMinutes, &r.MinAttempts,
		&r.WebhookURL, &emails, &r.CreatedAt, &r.CreatedBy,
		&r.State.State, &r.State.Since, &r.State.FiringSince, &r.State.ResolvedAt, &r.State.ClearSince, &r.State.Announced,
		&r.State.LastEvaluated, &outcome, &value, &r.State.LastDetail}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return Rule{}, err
	}
	r.Template, r.State.LastOutcome, r.State.LastValue = Template(template), Outcome(outcome), value
	if threshold != nil {
		r.Threshold = *threshold
	}
	if window != nil {
		r.WindowMinutes = *window
	}
	if emails != "" {
		r.EmailTo = strings.Split(emails, ",")
	}
	return r, nil
}

// Silence is one silence of a rule.
type Silence struct {
	ID        int64
	RuleID    int64
	RuleName  string
	Reason    string
	StartsAt  time.Time
	EndsAt    time.Time
	CreatedBy string
	EndedAt   *time.Time // ended early
	EndedBy   string
}

// Rules are the rules not deleted, with their state and the silence in force at now: firing
// first, then pending, then by name.
func Rules(ctx context.Context, q queries.Querier, now time.Time) ([]Rule, error) {
	rows, err := q.Query(ctx, queries.SQL("pg/alert_rules_live"), now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Rule, error) {
		var id *int64
		var reason *string
		var ends *time.Time
		r, err := scanRule(row, &id, &reason, &ends)
		if err == nil && id != nil {
			r.Silence = &Silence{ID: *id, RuleID: r.ID, RuleName: r.Name, Reason: *reason, EndsAt: *ends}
		}
		return r, err
	})
}

// ruleForUpdate reads rule id and locks it; ok is false when it does not exist or was deleted.
func ruleForUpdate(ctx context.Context, tx pgx.Tx, id int64) (Rule, bool, error) {
	r, err := scanRule(tx.QueryRow(ctx, queries.SQL("pg/alert_rule_for_update"), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Rule{}, false, nil
	}
	return r, err == nil, err
}

func saveState(ctx context.Context, tx pgx.Tx, id int64, s State) error {
	var outcome any
	if s.LastOutcome != "" {
		outcome = string(s.LastOutcome)
	}
	_, err := tx.Exec(ctx, queries.SQL("pg/alert_rule_update_state"), id, s.State, s.Since, s.FiringSince, s.ResolvedAt,
		s.ClearSince, s.Announced, s.LastEvaluated, outcome, s.LastValue, s.LastDetail)
	return err
}

func insertHistory(ctx context.Context, tx pgx.Tx, id int64, at time.Time, from, to string, value *decimal.Decimal, detail string, silenced bool) error {
	_, err := tx.Exec(ctx, queries.SQL("pg/alert_history_insert"), id, at, from, to, value, detail, silenced)
	return err
}

func silenced(ctx context.Context, q queries.Querier, id int64, at time.Time) (bool, error) {
	var yes bool
	err := q.QueryRow(ctx, queries.SQL("pg/alert_silence_active"), id, at).Scan(&yes)
	return yes, err
}

// Transition is one row of a rule's history.
type Transition struct {
	At          time.Time
	RuleID      int64
	RuleName    string
	RuleDeleted bool
	From, To    string
	Value       *decimal.Decimal
	Detail      string
	Silenced    bool
}

// History is the newest limit changes of state, newest first.
func History(ctx context.Context, q queries.Querier, limit int) ([]Transition, error) {
	rows, err := q.Query(ctx, queries.SQL("pg/alert_history_recent"), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Transition, error) {
		var t Transition
		err := row.Scan(&t.At, &t.RuleID, &t.RuleName, &t.RuleDeleted, &t.From, &t.To, &t.Value, &t.Detail, &t.Silenced)
		return t, err
	})
}

// Silences are the silences of rules not deleted in force at now, to come, or ended in the
// week before, those in force first.
func Silences(ctx context.Context, q queries.Querier, now time.Time) ([]Silence, error) {
	rows, err := q.Query(ctx, queries.SQL("pg/alert_silences_recent"), now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Silence, error) {
		var s Silence
		err := row.Scan(&s.ID, &s.RuleID, &s.RuleName, &s.Reason, &s.StartsAt, &s.EndsAt, &s.CreatedBy, &s.EndedAt, &s.EndedBy)
		return s, err
	})
}

// Delivery is one notification in the outbox.
type Delivery struct {
	ID            int64
	RuleID        int64
	RuleName      string
	Kind          string // firing, resolved, test
	Channel       string // webhook, email
	Target        string
	Subject, Body string
	CreatedAt     time.Time
	Attempts      int
	LastAttempt   *time.Time
	LastError     string
	NextAttempt   time.Time
	DeliveredAt   *time.Time
	FailedAt      *time.Time // given up
}

// Deliveries are the newest limit notifications, newest first.
func Deliveries(ctx context.Context, q queries.Querier, limit int) ([]Delivery, error) {
	rows, err := q.Query(ctx, queries.SQL("pg/alert_deliveries_recent"), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Delivery, error) {
		var d Delivery
		err := row.Scan(&d.ID, &d.RuleID, &d.RuleName, &d.Kind, &d.Channel, &d.Target, &d.CreatedAt, &d.Attempts,
			&d.LastAttempt, &d.LastError, &d.NextAttempt, &d.DeliveredAt, &d.FailedAt)
		return d, err
	})
}

// Firing is a firing rule, as the operations banner shows it.
type Firing struct {
	RuleID   int64
	Name     string
	Since    time.Time
	Detail   string
	Silenced bool
}

// FiringNow lists the rules firing, longest first, with whether each is silenced at now.
func FiringNow(ctx context.Context, q queries.Querier, now time.Time) ([]Firing, error) {
	rows, err := q.Query(ctx, queries.SQL("pg/alert_firing"), now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Firing, error) {
		var f Firing
		err := row.Scan(&f.RuleID, &f.Name, &f.Since, &f.Detail, &f.Silenced)
		return f, err
	})
}

// enqueue queues one notification per channel of rule r, due at once.
func enqueue(ctx context.Context, tx pgx.Tx, r Rule, n Notification, at time.Time) error {
	if r.WebhookURL != "" {
		if _, err := tx.Exec(ctx, queries.SQL("pg/alert_delivery_insert"), r.ID, n.Kind, "webhook", r.WebhookURL, "", n.Webhook, at); err != nil {
			return err
		}
	}
	if len(r.EmailTo) > 0 {
		if _, err := tx.Exec(ctx, queries.SQL("pg/alert_delivery_insert"), r.ID, n.Kind, "email", strings.Join(r.EmailTo, ","), n.Subject, n.Text, at); err != nil {
			return err
		}
	}
	return nil
}
