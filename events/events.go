// Package events is the ingestion contract: the three topics Mari BI accepts events on, the
// fields of each event, and how a line of JSON becomes a checked event or a reason it is not
// one. The JSON Schemas in schema/v1 describe the same contract for producers; a test holds
// the two to each other.
//
// Version 1. Additive changes (a new optional field) stay in v1: unknown fields are accepted
// and ignored, so a producer can start sending a field before Mari BI reads it. A change that
// would make a v1 event mean something else gets new topics and a new path (/ingest/v2/...).
package events

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Version is the contract version this package reads.
const Version = 1

// Topic names an event stream; the Kafka topic and the HTTP path segment are the same word.
type Topic string

// The topics, named as in the design document.
const (
	TransactionEvents Topic = "transaction-events"
	UserEvents        Topic = "user-events"
	UserActivity      Topic = "user-activity"
)

// Topics lists every topic, in the order a batch touching several should apply them: a user
// before their payments and activity.
var Topics = []Topic{UserEvents, TransactionEvents, UserActivity}

// ParseTopic returns the topic named s.
func ParseTopic(s string) (Topic, bool) {
	for _, t := range Topics {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}

// DeadLetterTopic is the Kafka topic invalid events of t are copied to.
func (t Topic) DeadLetterTopic() string { return string(t) + ".dlq" }

// Transaction event types, in the order of a payment's life.
const (
	Initiated           = "initiated"
	PhysicsSealCaptured = "physics_seal_captured"
	Submitted           = "submitted"
	Completed           = "completed"
	Failed              = "failed"
)

// User event types.
const (
	SignedUp      = "signed_up"
	StatusChanged = "status_changed"
)

// Transaction is one event of a payment's life. Fields a given event type does not carry are
// zero; the initiated event carries the payment's identity (sender, recipient, amount, bank,
// channel, seal), the later ones refer to it by TransactionID.
type Transaction struct {
	EventID          uuid.UUID
	TransactionID    uuid.UUID
	UserID           uuid.UUID // the sender
	EventType        string
	Timestamp        time.Time
	Amount           decimal.NullDecimal // required on initiated; elsewhere, if given, must equal it
	Currency         string              // "ZAR"
	BankID           string              // required on initiated
	DeviceType       string
	Channel          string // online or offline_sms; required on initiated
	ProcessingTimeMS *int32 // required on completed and failed
	SentinelScore    *float32
	FailureReason    string // required on failed, absent otherwise
	ErrorCode        string
	RecipientID      uuid.UUID // initiated only
	PhysicsSealHash  string    // initiated only
	AppVersion       string    // initiated only
}

// Final reports whether the event ends the payment.
func (e *Transaction) Final() bool { return e.EventType == Completed || e.EventType == Failed }

// User is a sign-up or a change of an account's status.
type User struct {
	EventID         uuid.UUID
	EventType       string
	Timestamp       time.Time
	UserID          uuid.UUID
	PhoneNumberHash string    // signed_up
	BloodHash       string    // signed_up
	DevicePublicKey string    // signed_up
	SignupSource    string    // signed_up: organic, referral or bank_promotion
	ReferrerUserID  uuid.UUID // signed_up through a referral
	PromoBankCode   string    // signed_up through a bank promotion
	Status          string    // status_changed: active, suspended or closed; signed_up: active
}

// Activity is one thing a user did in the app.
type Activity struct {
	EventID      uuid.UUID
	UserID       uuid.UUID
	ActivityType string
	Timestamp    time.Time
	DeviceType   string
	AppVersion   string
	LocationHash string
}

// Event is one checked event of any topic: exactly one of its pointers is set.
type Event struct {
	Transaction *Transaction
	User        *User
	Activity    *Activity
}

// ID is the event's event_id.
func (e Event) ID() uuid.UUID {
	switch {
	case e.Transaction != nil:
		return e.Transaction.EventID
	case e.User != nil:
		return e.User.EventID
	default:
		return e.Activity.EventID
	}
}

// At is the event's timestamp.
func (e Event) At() time.Time {
	switch {
	case e.Transaction != nil:
		return e.Transaction.Timestamp
	case e.User != nil:
		return e.User.Timestamp
	default:
		return e.Activity.Timestamp
	}
}

// Topic is the topic the event belongs to.
func (e Event) Topic() Topic {
	switch {
	case e.Transaction != nil:
		return TransactionEvents
	case e.User != nil:
		return UserEvents
	default:
		return UserActivity
	}
}
