package alerts

import (
	"time"

	"github.com/shopspring/decimal"
)

// The states of a rule.
const (
	StateOK       = "ok"
	StatePending  = "pending"  // the condition holds, not yet for the rule's duration
	StateFiring   = "firing"   // it has held for the rule's duration
	StateResolved = "resolved" // firing ended at the last change; ok once an evaluation finds it still clear
)

// Outcome is what one measurement found.
type Outcome string

// The outcomes.
const (
	Holds     Outcome = "holds"      // the condition is true (the rule wants to fire)
	Clear     Outcome = "clear"      // the condition is false
	NotEnough Outcome = "not_enough" // too little data to judge: counts as clear, shown as such
	Failed    Outcome = "error"      // the measurement failed: the state stays as it was
)

// Reading is one measurement of a rule.
type Reading struct {
	Outcome Outcome
	Value   *decimal.Decimal // what was measured (nil when nothing could be)
	Detail  string           // the measurement in words, with the threshold
}

// State is a rule's state and what the state machine remembers between evaluations.
type State struct {
	State       string
	Since       time.Time  // when the rule entered State
	FiringSince *time.Time // the current or last firing's start (Alertmanager's startsAt)
	ResolvedAt  *time.Time // the last firing's end (its endsAt)
	// ClearSince is, while firing, the first evaluation of the unbroken run that found the
	// condition false; nil while it holds.
	ClearSince *time.Time
	// Announced is what the rule's channels were last told: firing (true) or not.
	Announced bool

	LastEvaluated *time.Time
	LastOutcome   Outcome
	LastValue     *decimal.Decimal
	LastDetail    string
}

// Step is the state machine: the state after an evaluation at now that read r, for a rule that
// must hold for `hold` before it fires. changed is true when State changed (a row of history).
//
// Flapping: a rule fires only once its condition has held at every evaluation for `hold`, and a
// firing rule resolves only once its condition has been false at every evaluation for `hold`
// (no hysteresis on the value: the duration is the damper). A value see-sawing across the
// threshold therefore keeps a firing rule firing and a quiet one from firing. With a zero
// duration a rule fires, and resolves, at the first evaluation that says so.
//
// Not enough data counts as clear: a quiet hour resolves a firing success-rate rule in due
// course instead of holding it firing on a handful of payments. A failed measurement changes
// nothing but the record of the evaluation.
func Step(s State, r Reading, now time.Time, hold time.Duration) (next State, changed bool) {
	next = s
	at := now
	next.LastEvaluated, next.LastOutcome, next.LastValue, next.LastDetail = &at, r.Outcome, r.Value, r.Detail
	if r.Outcome == Failed {
		return next, false
	}
	holds := r.Outcome == Holds
	enter := func(state string) {
		next.State, next.Since, changed = state, now, true
	}
	fire := func() {
		enter(StateFiring)
		next.FiringSince, next.ClearSince = &at, nil
	}
	switch s.State {
	case StateOK, StateResolved, "":
		switch {
		case holds && hold <= 0:
			fire()
		case holds:
			enter(StatePending)
		case s.State == StateResolved:
			enter(StateOK)
		}
	case StatePending:
		switch {
		case holds && !now.Before(s.Since.Add(hold)):
			fire()
		case !holds:
			enter(StateOK)
		}
	case StateFiring:
		switch {
		case holds:
			next.ClearSince = nil
		case s.ClearSince == nil && hold > 0:
			next.ClearSince = &at
		case hold <= 0 || !now.Before(s.ClearSince.Add(hold)):
			enter(StateResolved)
			next.ResolvedAt, next.ClearSince = &at, nil
		}
	}
	return next, changed
}

// Announcement is the notification an evaluation queues: none, firing or resolved.
type Announcement string

// The announcements.
const (
	AnnounceNothing  Announcement = ""
	AnnounceFiring   Announcement = "firing"
	AnnounceResolved Announcement = "resolved"
)

// Announce says what the channels must be told so that they know the rule's state, and the
// state once told. A silenced rule tells nothing (and its channels keep believing what they
// were last told); when the silence ends, the next evaluation tells them what they missed: a
// firing still going on, or the end of one they were told about. A rule whose firing began and
// ended within a silence is never announced at all.
func Announce(s State, silenced bool) (Announcement, State) {
	if silenced {
		return AnnounceNothing, s
	}
	firing := s.State == StateFiring
	switch {
	case firing && !s.Announced:
		s.Announced = true
		return AnnounceFiring, s
	case !firing && s.Announced:
		s.Announced = false
		return AnnounceResolved, s
	}
	return AnnounceNothing, s
}
