package events

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"mari/calendar"
)

// The wire forms: what a producer sends. Amounts go out as decimal strings, times as RFC 3339
// in SAST with the offset, absent fields are left out.

type transactionWire struct {
	EventID          string   `json:"event_id"`
	TransactionID    string   `json:"transaction_id"`
	UserID           string   `json:"user_id"`
	EventType        string   `json:"event_type"`
	Timestamp        string   `json:"timestamp"`
	Amount           string   `json:"amount,omitempty"`
	Currency         string   `json:"currency,omitempty"`
	BankID           string   `json:"bank_id,omitempty"`
	DeviceType       string   `json:"device_type,omitempty"`
	Channel          string   `json:"channel,omitempty"`
	ProcessingTimeMS *int32   `json:"processing_time_ms,omitempty"`
	SentinelScore    *float32 `json:"sentinel_score,omitempty"`
	FailureReason    string   `json:"failure_reason,omitempty"`
	ErrorCode        string   `json:"error_code,omitempty"`
	RecipientID      string   `json:"recipient_id,omitempty"`
	PhysicsSealHash  string   `json:"physics_seal_hash,omitempty"`
	AppVersion       string   `json:"app_version,omitempty"`
}

type userWire struct {
	EventID         string `json:"event_id"`
	EventType       string `json:"event_type"`
	Timestamp       string `json:"timestamp"`
	UserID          string `json:"user_id"`
	PhoneNumberHash string `json:"phone_number_hash,omitempty"`
	BloodHash       string `json:"blood_hash,omitempty"`
	DevicePublicKey string `json:"device_public_key,omitempty"`
	SignupSource    string `json:"signup_source,omitempty"`
	ReferrerUserID  string `json:"referrer_user_id,omitempty"`
	PromoBankCode   string `json:"promo_bank_code,omitempty"`
	Status          string `json:"status,omitempty"`
}

type activityWire struct {
	EventID      string `json:"event_id"`
	UserID       string `json:"user_id"`
	ActivityType string `json:"activity_type"`
	Timestamp    string `json:"timestamp"`
	DeviceType   string `json:"device_type,omitempty"`
	AppVersion   string `json:"app_version,omitempty"`
	LocationHash string `json:"location_hash,omitempty"`
}

func wireTime(t time.Time) string {
	return t.In(calendar.SAST).Format(time.RFC3339Nano)
}

func wireID(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// MarshalJSON writes the event as the contract's JSON.
func (e *Transaction) MarshalJSON() ([]byte, error) {
	w := transactionWire{
		EventID: e.EventID.String(), TransactionID: e.TransactionID.String(), UserID: e.UserID.String(),
		EventType: e.EventType, Timestamp: wireTime(e.Timestamp), Currency: e.Currency,
		BankID: e.BankID, DeviceType: e.DeviceType, Channel: e.Channel,
		ProcessingTimeMS: e.ProcessingTimeMS, SentinelScore: e.SentinelScore,
		FailureReason: e.FailureReason, ErrorCode: e.ErrorCode, RecipientID: wireID(e.RecipientID),
		PhysicsSealHash: e.PhysicsSealHash, AppVersion: e.AppVersion,
	}
	if e.Amount.Valid {
		w.Amount = e.Amount.Decimal.StringFixed(2)
	}
	return json.Marshal(w)
}

// MarshalJSON writes the event as the contract's JSON.
func (e *User) MarshalJSON() ([]byte, error) {
	return json.Marshal(userWire{
		EventID: e.EventID.String(), EventType: e.EventType, Timestamp: wireTime(e.Timestamp),
		UserID: e.UserID.String(), PhoneNumberHash: e.PhoneNumberHash, BloodHash: e.BloodHash,
		DevicePublicKey: e.DevicePublicKey, SignupSource: e.SignupSource,
		ReferrerUserID: wireID(e.ReferrerUserID), PromoBankCode: e.PromoBankCode, Status: e.Status,
	})
}

// MarshalJSON writes the event as the contract's JSON.
func (e *Activity) MarshalJSON() ([]byte, error) {
	return json.Marshal(activityWire{
		EventID: e.EventID.String(), UserID: e.UserID.String(), ActivityType: e.ActivityType,
		Timestamp: wireTime(e.Timestamp), DeviceType: e.DeviceType, AppVersion: e.AppVersion,
		LocationHash: e.LocationHash,
	})
}

// MarshalJSON writes whichever event e holds.
func (e Event) MarshalJSON() ([]byte, error) {
	switch {
	case e.Transaction != nil:
		return e.Transaction.MarshalJSON()
	case e.User != nil:
		return e.User.MarshalJSON()
	default:
		return e.Activity.MarshalJSON()
	}
}
