package ingest

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"mari/events"
)

// Fate is what becomes of one new event.
type Fate uint8

const (
	// Apply: the event's effects are written and it is recorded as seen.
	Apply Fate = iota
	// Hold: something it refers to has not arrived yet; it waits in ingest_held.
	Hold
	// Reject: it can never be applied; it goes to the dead letters with the reason.
	Reject
)

// TxState is what the state machine knows of a payment: what its initiated event said and
// where it stands.
type TxState struct {
	Sender     uuid.UUID
	Amount     decimal.Decimal
	Currency   string
	BankID     string
	Channel    string
	DeviceType string
	CreatedAt  time.Time
	Status     string // PENDING, COMPLETED or FAILED
	FinalAt    time.Time
}

// World is what the database holds that the batch's events refer to, read inside the batch's
// transaction (the payments locked). decide updates it as events apply, so later events of
// the same batch see the earlier ones.
type World struct {
	Users        map[uuid.UUID]bool
	Banks        map[string]bool
	Transactions map[uuid.UUID]*TxState
	SealOwner    map[string]uuid.UUID // physics_seal_hash → the payment that has it
	PhoneOwner   map[string]uuid.UUID // phone_number_hash → user
	BloodOwner   map[string]uuid.UUID // blood_hash → user
}

// Decision is the fate of one event and, when held or rejected, why.
type Decision struct {
	Fate   Fate
	Reason string
}

// Effects are the writes a batch's applied events make.
type Effects struct {
	NewUsers      []*events.User
	StatusChanges map[uuid.UUID]*events.User // the latest change per user
	NewTx         []*events.Transaction
	Finals        []*events.Transaction
	TxRows        []TxRow
	ActivityRows  []*events.Activity
}

// TxRow is a transaction event as ClickHouse stores it: the payment's identity filled in from
// its initiated event, so every row of a payment agrees on amount, bank and channel.
type TxRow struct {
	Event *events.Transaction
	State *TxState
}

// decide judges the batch's new events in order (users, then payments, then activity; by
// timestamp within each) against w, and collects the effects of those that apply.
func decide(evs []events.Event, w *World) ([]Decision, *Effects) {
	out := make([]Decision, len(evs))
	fx := &Effects{StatusChanges: map[uuid.UUID]*events.User{}}
	order := make([]int, len(evs))
	for i := range order {
		order[i] = i
	}
	rank := func(e events.Event) int { return slices.Index(events.Topics, e.Topic()) }
	slices.SortStableFunc(order, func(a, b int) int {
		if ra, rb := rank(evs[a]), rank(evs[b]); ra != rb {
			return ra - rb
		}
		return evs[a].At().Compare(evs[b].At())
	})
	for _, i := range order {
		e := evs[i]
		switch {
		case e.User != nil:
			out[i] = w.user(e.User, fx)
		case e.Transaction != nil:
			out[i] = w.transaction(e.Transaction, fx)
		default:
			out[i] = w.activity(e.Activity, fx)
		}
	}
	return out, fx
}

func apply() Decision { return Decision{Fate: Apply} }

func hold(format string, a ...any) Decision {
	return Decision{Fate: Hold, Reason: fmt.Sprintf(format, a...)}
}

func reject(format string, a ...any) Decision {
	return Decision{Fate: Reject, Reason: fmt.Sprintf(format, a...)}
}

func (w *World) user(e *events.User, fx *Effects) Decision {
	switch e.EventType {
	case events.SignedUp:
		if w.Users[e.UserID] {
			return reject("user %s has already signed up", e.UserID)
		}
		if owner, ok := w.PhoneOwner[e.PhoneNumberHash]; ok && owner != e.UserID {
			return reject("phone_number_hash belongs to another user (%s)", owner)
		}
		if owner, ok := w.BloodOwner[e.BloodHash]; ok && owner != e.UserID {
			return reject("blood_hash belongs to another user (%s)", owner)
		}
		if e.PromoBankCode != "" && !w.Banks[e.PromoBankCode] {
			return reject("promo_bank_code %q is not a bank partnership", e.PromoBankCode)
		}
		if e.ReferrerUserID != uuid.Nil && !w.Users[e.ReferrerUserID] {
			return hold("referrer %s has not signed up yet", e.ReferrerUserID)
		}
		w.Users[e.UserID] = true
		w.PhoneOwner[e.PhoneNumberHash] = e.UserID
		w.BloodOwner[e.BloodHash] = e.UserID
		fx.NewUsers = append(fx.NewUsers, e)
		return apply()
	default: // status_changed
		if !w.Users[e.UserID] {
			return hold("user %s has not signed up yet", e.UserID)
		}
		if prev, ok := fx.StatusChanges[e.UserID]; !ok || !e.Timestamp.Before(prev.Timestamp) {
			fx.StatusChanges[e.UserID] = e
		}
		return apply()
	}
}

func (w *World) transaction(e *events.Transaction, fx *Effects) Decision {
	if e.EventType == events.Initiated {
		return w.initiate(e, fx)
	}
	t, ok := w.Transactions[e.TransactionID]
	if !ok {
		return hold("transaction %s has not been initiated yet", e.TransactionID)
	}
	switch {
	case e.UserID != t.Sender:
		return reject("user_id %s is not the sender of transaction %s", e.UserID, e.TransactionID)
	case e.Amount.Valid && !e.Amount.Decimal.Equal(t.Amount):
		return reject("amount %s differs from the initiated amount %s", e.Amount.Decimal.StringFixed(2), t.Amount.StringFixed(2))
	case e.BankID != "" && e.BankID != t.BankID:
		return reject("bank_id %q differs from the initiated bank %q", e.BankID, t.BankID)
	case e.Channel != "" && e.Channel != t.Channel:
		return reject("channel %q differs from the initiated channel %q", e.Channel, t.Channel)
	case e.Timestamp.Before(t.CreatedAt):
		return reject("timestamp %s is before the payment was initiated (%s)",
			e.Timestamp.Format(time.RFC3339), t.CreatedAt.Format(time.RFC3339))
	}
	if e.Final() {
		if t.Status != "PENDING" {
			// A final payment never moves: a late or contradicting final event is kept for
			// people to see, not counted.
			return reject("transaction %s is already %s (at %s); a %s event cannot change it",
				e.TransactionID, t.Status, t.FinalAt.Format(time.RFC3339), e.EventType)
		}
		t.Status = "COMPLETED"
		if e.EventType == events.Failed {
			t.Status = "FAILED"
		}
		t.FinalAt = e.Timestamp
		fx.Finals = append(fx.Finals, e)
	}
	fx.TxRows = append(fx.TxRows, TxRow{Event: e, State: t})
	return apply()
}

func (w *World) initiate(e *events.Transaction, fx *Effects) Decision {
	if _, ok := w.Transactions[e.TransactionID]; ok {
		return reject("transaction %s was already initiated by another event", e.TransactionID)
	}
	if !w.Banks[e.BankID] {
		return reject("bank_id %q is not a bank partnership", e.BankID)
	}
	if owner, ok := w.SealOwner[e.PhysicsSealHash]; ok && owner != e.TransactionID {
		return reject("physics_seal_hash is already used by transaction %s", owner)
	}
	if !w.Users[e.UserID] {
		return hold("sender %s has not signed up yet", e.UserID)
	}
	if !w.Users[e.RecipientID] {
		return hold("recipient %s has not signed up yet", e.RecipientID)
	}
	t := &TxState{
		Sender: e.UserID, Amount: e.Amount.Decimal, Currency: e.Currency, BankID: e.BankID,
		Channel: e.Channel, DeviceType: e.DeviceType, CreatedAt: e.Timestamp, Status: "PENDING",
	}
	w.Transactions[e.TransactionID] = t
	w.SealOwner[e.PhysicsSealHash] = e.TransactionID
	fx.NewTx = append(fx.NewTx, e)
	fx.TxRows = append(fx.TxRows, TxRow{Event: e, State: t})
	return apply()
}

func (w *World) activity(e *events.Activity, fx *Effects) Decision {
	if !w.Users[e.UserID] {
		return hold("user %s has not signed up yet", e.UserID)
	}
	fx.ActivityRows = append(fx.ActivityRows, e)
	return apply()
}
