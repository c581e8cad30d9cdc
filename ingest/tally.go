package ingest

import (
	"time"

	"github.com/google/uuid"

	"mari/events"
)

// Payment steps a Tally counts: a payment is created pending, and reaches one final state.
const (
	PaymentPending   = "pending"
	PaymentCompleted = "completed"
	PaymentFailed    = "failed"
)

// Tally is what one committed batch did, for whoever counts it (the metrics, package
// telemetry). A Store makes it only after the batch's transaction has committed: a batch that
// failed or was rolled back tells nobody anything, and a batch retried after meeting a
// concurrent one is told once, as the attempt that committed. Counting tallies therefore
// counts each payment's creation and its final state once per database, whichever process
// committed them.
type Tally struct {
	// Topics says, per topic, what became of the batch's lines.
	Topics map[events.Topic]*TopicTally
	// Payments are the payments this batch created (pending) and those it finalised
	// (completed or failed), one step each; a payment created and finalised in the same batch
	// has both.
	Payments []PaymentStep
}

// TopicTally is what became of one topic's lines in a batch. On arrival each line has one
// outcome: accepted, duplicate, held or rejected (as the ingestion answer counts them). Held
// events judged again later are counted as Released when they apply; while they wait on,
// nothing is counted again.
type TopicTally struct {
	Accepted   int
	Duplicates int
	Held       int
	Rejected   int
	Released   int
	// DeadLetters are the events that went to the dead letters: those rejected now, on
	// arrival or when judged again after being held, and held events that waited too long.
	DeadLetters int
	// Newest is the event time of the newest event applied (accepted or released); zero when
	// none was.
	Newest time.Time
}

// PaymentStep is one payment created or finalised.
type PaymentStep struct {
	Status  string // PaymentPending, PaymentCompleted or PaymentFailed
	Bank    string // bank_id of the payment ("" is possible in principle; counters name it)
	Channel string
	// Processing is a final payment's processing_time_ms; 0 for a pending one.
	Processing time.Duration
}

// Empty reports whether the tally counted nothing at all.
func (t Tally) Empty() bool { return len(t.Topics) == 0 && len(t.Payments) == 0 }

func (t *Tally) topic(tp events.Topic) *TopicTally {
	if t.Topics == nil {
		t.Topics = map[events.Topic]*TopicTally{}
	}
	tt := t.Topics[tp]
	if tt == nil {
		tt = &TopicTally{}
		t.Topics[tp] = tt
	}
	return tt
}

// add counts u into t.
func (t *Tally) add(u Tally) {
	for tp, x := range u.Topics {
		tt := t.topic(tp)
		tt.Accepted += x.Accepted
		tt.Duplicates += x.Duplicates
		tt.Held += x.Held
		tt.Rejected += x.Rejected
		tt.Released += x.Released
		tt.DeadLetters += x.DeadLetters
		if x.Newest.After(tt.Newest) {
			tt.Newest = x.Newest
		}
	}
	t.Payments = append(t.Payments, u.Payments...)
}

// tallyBatch counts one attempt at a batch: evs were the batch's distinct parsed events, fresh
// those not seen before (the others are duplicates), decided as decisions with effects fx.
func tallyBatch(evs, fresh []parsed, decisions []Decision, fx *Effects) Tally {
	var t Tally
	freshIDs := make(map[uuid.UUID]bool, len(fresh))
	for _, p := range fresh {
		freshIDs[p.ev.ID()] = true
	}
	for _, p := range evs {
		if !freshIDs[p.ev.ID()] {
			t.topic(p.ev.Topic()).Duplicates++
		}
	}
	for i, d := range decisions {
		ev := fresh[i].ev
		tt := t.topic(ev.Topic())
		switch d.Fate {
		case Apply:
			tt.Accepted++
			if at := ev.At(); at.After(tt.Newest) {
				tt.Newest = at
			}
		case Hold:
			tt.Held++
		case Reject:
			tt.Rejected++
			tt.DeadLetters++
		}
	}
	for _, r := range fx.TxRows {
		e := r.Event
		switch {
		case e.EventType == events.Initiated:
			t.Payments = append(t.Payments, PaymentStep{Status: PaymentPending, Bank: r.State.BankID, Channel: r.State.Channel})
		case e.Final():
			step := PaymentStep{Status: PaymentCompleted, Bank: r.State.BankID, Channel: r.State.Channel}
			if e.EventType == events.Failed {
				step.Status = PaymentFailed
			}
			if e.ProcessingTimeMS != nil {
				step.Processing = time.Duration(*e.ProcessingTimeMS) * time.Millisecond
			}
			t.Payments = append(t.Payments, step)
		}
	}
	return t
}

// asRelease turns the tally of held events judged again into what it adds: those applied now
// are released (their arrival was counted as held), those rejected now are dead letters, and
// those still waiting or already applied by a redelivery count nothing more.
func (t Tally) asRelease() Tally {
	for _, tt := range t.Topics {
		tt.Released, tt.Accepted = tt.Accepted, 0
		tt.Held, tt.Duplicates, tt.Rejected = 0, 0, 0
	}
	return t
}
