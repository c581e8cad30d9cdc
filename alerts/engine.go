package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"mari/queries"
	"mari/rollup"
)

// EvaluatorLease is the scheduler_leases row the evaluator runs under: one instance evaluates
// at a time.
const EvaluatorLease = "alerts"

// Evaluator evaluates every rule every Every, on the instance holding the lease.
//
// Exactly-once changes: the lease makes one instance evaluate at a time; beyond it, each rule is
// changed in a transaction that locks its row and skips the rule when an evaluation at the same
// instant or a later one has already been recorded (an instance that stalled past its lease
// while another took over), so no change of state, and no notification, is ever made twice.
type Evaluator struct {
	PG      queries.DB
	Log     *slog.Logger
	Now     func() time.Time // the clock of the evaluations; tests move it by hand
	Every   time.Duration
	BaseURL string // where people open Mari BI, for the notifications' links
	// Holder names this process in scheduler_leases; LeaseTTL is how long a claim holds. A round
	// is cut off at LeaseTTL, before another instance could take over.
	Holder   string
	LeaseTTL time.Duration
	// Queued, when set, is called after a round queued notifications (serve wakes the deliverer).
	Queued func()

	leading bool // logging only: the last claim's outcome
	failing bool
}

// NewEvaluator returns an evaluator with the lease of three rounds (at least a minute).
func NewEvaluator(pg queries.DB, every time.Duration, baseURL string, log *slog.Logger) *Evaluator {
	if log == nil {
		log = slog.Default()
	}
	ttl := max(3*every, time.Minute)
	return &Evaluator{PG: pg, Log: log, Now: time.Now, Every: every, BaseURL: baseURL,
		Holder: rollup.NewHolderID(), LeaseTTL: ttl}
}

// Run evaluates at once and then every Every until ctx ends, then hands the lease on.
func (e *Evaluator) Run(ctx context.Context) {
	defer e.release()
	t := time.NewTicker(e.Every)
	defer t.Stop()
	for {
		e.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick is one round: when this instance holds (or can claim) the lease, every rule is evaluated
// at one instant. It reports whether it led, and how many rules changed state.
func (e *Evaluator) Tick(ctx context.Context) (led bool, changed int) {
	claimCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, ok, err := queries.ClaimLease(claimCtx, e.PG, EvaluatorLease, e.Holder, e.LeaseTTL)
	cancel()
	if err != nil {
		if ctx.Err() == nil && !e.failing {
			e.Log.Error("alerts: cannot claim the evaluator's lease; no rule is evaluated here until it can", "err", err)
		}
		e.failing = true
		return false, 0
	}
	if ok != e.leading {
		e.leading = ok
		if ok {
			e.Log.Info("alerts: this instance evaluates the alert rules", "holder", e.Holder, "every", e.Every)
		}
	}
	if !ok {
		return false, 0
	}
	round, cancel := context.WithTimeout(ctx, e.LeaseTTL)
	defer cancel()
	changed, queued, err := e.EvaluateAll(round, e.Now())
	switch {
	case err != nil && !e.failing:
		e.Log.Error("alerts: evaluating the rules failed; retrying every round", "err", err)
		e.failing = true
	case err == nil && e.failing:
		e.Log.Info("alerts: evaluating the rules again")
		e.failing = false
	}
	if queued > 0 && e.Queued != nil {
		e.Queued()
	}
	return true, changed
}

func (e *Evaluator) release() {
	if !e.leading {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := queries.ReleaseLease(ctx, e.PG, EvaluatorLease, e.Holder); err != nil {
		e.Log.Error("alerts: releasing the evaluator's lease", "err", err)
	}
}

// EvaluateAll evaluates every rule at now: how many changed state and how many notifications
// were queued. A rule whose measurement fails keeps its state and says why on the page; the
// error returned is the first that kept rules from being recorded.
func (e *Evaluator) EvaluateAll(ctx context.Context, now time.Time) (changed, queued int, err error) {
	rules, err := Rules(ctx, e.PG, now)
	if err != nil {
		return 0, 0, fmt.Errorf("listing the rules: %w", err)
	}
	var first error
	for _, r := range rules {
		read := Measure(ctx, e.PG, r, now)
		c, q, err := e.record(ctx, r.ID, read, now)
		if err != nil && first == nil {
			first = fmt.Errorf("rule %d: %w", r.ID, err)
		}
		if c {
			changed++
		}
		queued += q
	}
	return changed, queued, first
}

// record applies one reading to rule id, in one transaction: the new state, its history row and
// the notifications it calls for land together or not at all.
func (e *Evaluator) record(ctx context.Context, id int64, read Reading, now time.Time) (changed bool, queued int, err error) {
	err = pgx.BeginFunc(ctx, e.PG, func(tx pgx.Tx) error {
		r, found, err := ruleForUpdate(ctx, tx, id)
		if err != nil || !found { // deleted since it was listed: nothing to do
			return err
		}
		if r.State.LastEvaluated != nil && !now.After(*r.State.LastEvaluated) {
			return nil // evaluated at this instant or later by another instance
		}
		next, moved := Step(r.State, read, now, r.For())
		quiet, err := silenced(ctx, tx, r.ID, now)
		if err != nil {
			return err
		}
		if moved {
			if err := insertHistory(ctx, tx, r.ID, now, r.State.State, next.State, read.Value, read.Detail, quiet); err != nil {
				return err
			}
		}
		tell, next := Announce(next, quiet)
		if tell != AnnounceNothing {
			if err := enqueue(ctx, tx, r, notification(r, tell.String(), next, now, e.BaseURL), now); err != nil {
				return err
			}
			queued = channels(r)
		}
		changed = moved
		return saveState(ctx, tx, r.ID, next)
	})
	if err != nil {
		return false, 0, err
	}
	return changed, queued, nil
}

// channels is how many notifications each change of rule r queues.
func channels(r Rule) int {
	n := 0
	if r.WebhookURL != "" {
		n++
	}
	if len(r.EmailTo) > 0 {
		n++
	}
	return n
}
