// Package ingesttest builds typed events for tests of ingestion. Ids derive from names, so a
// test reads as the story it tells and can name the rows it expects.
package ingesttest

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"mari/dbtest"
	"mari/events"
)

// TxID is the transaction_id of the payment called name.
func TxID(name string) uuid.UUID { return uuid.NewSHA1(uuid.NameSpaceOID, []byte("tx-"+name)) }

// EventID is the event_id of the event called name.
func EventID(name string) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("event-"+name))
}

// Bank is the bank_id payments carry: tests insert it as a partnership.
const Bank = "BANKA"

// Initiated starts payment tx of amount from one user to another, through Bank.
func Initiated(ev, tx, from, to, amount string, at time.Time) events.Event {
	return events.Event{Transaction: &events.Transaction{
		EventID: EventID(ev), TransactionID: TxID(tx), UserID: dbtest.UserID(from), EventType: events.Initiated,
		Timestamp: at, Amount: decimal.NewNullDecimal(decimal.RequireFromString(amount)),
		Currency: "ZAR", BankID: Bank, Channel: "online", DeviceType: "android", RecipientID: dbtest.UserID(to),
		PhysicsSealHash: "seal-" + tx, AppVersion: "3.1.0",
	}}
}

// Step is a later event of payment tx (physics_seal_captured, submitted).
func Step(ev, tx, from, kind string, at time.Time) events.Event {
	return events.Event{Transaction: &events.Transaction{
		EventID: EventID(ev), TransactionID: TxID(tx), UserID: dbtest.UserID(from), EventType: kind,
		Timestamp: at, Currency: "ZAR",
	}}
}

// Final ends payment tx (completed, or failed for reason).
func Final(ev, tx, from, kind string, at time.Time, ms int32, reason string) events.Event {
	e := Step(ev, tx, from, kind, at)
	e.Transaction.ProcessingTimeMS = &ms
	e.Transaction.FailureReason = reason
	if reason != "" {
		e.Transaction.ErrorCode = "E_" + reason
	}
	return e
}

// SignUp is user's organic sign-up.
func SignUp(ev, user string, at time.Time) events.Event {
	return events.Event{User: &events.User{
		EventID: EventID(ev), EventType: events.SignedUp, Timestamp: at, UserID: dbtest.UserID(user),
		PhoneNumberHash: "phone-" + user, BloodHash: "blood-" + user, DevicePublicKey: "key-" + user,
		SignupSource: "organic",
	}}
}

// Activity is something user did in the app.
func Activity(ev, user, kind string, at time.Time) events.Event {
	return events.Event{Activity: &events.Activity{
		EventID: EventID(ev), UserID: dbtest.UserID(user), ActivityType: kind, Timestamp: at,
		DeviceType: "android", AppVersion: "3.1.0", LocationHash: "loc",
	}}
}
