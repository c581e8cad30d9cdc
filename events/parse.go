package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"mari/calendar"
)

// Earliest is the first instant an event may carry: Mari did not exist before it.
var Earliest = calendar.NewDate(2024, time.January, 1).Start()

// FutureSkew is how far ahead of the receiver's clock an event's timestamp may be. A producer
// clock that runs further ahead would put the event into minutes that have not happened yet.
const FutureSkew = 5 * time.Minute

// MaxLine is the longest line, in bytes, one event may take.
const MaxLine = 64 << 10

// maxAmount bounds amounts to PostgreSQL's numeric(15,2): 13 digits before the point.
var maxAmount = decimal.New(1, 13)

// Parser reads lines of JSON into checked events. Its clock bounds timestamps.
type Parser struct {
	Now func() time.Time
}

// Parse reads one line of topic t. The error, when there is one, is a sentence for the producer
// naming the field (several faults are joined with "; ").
func (p Parser) Parse(t Topic, line []byte) (Event, error) {
	if len(line) > MaxLine {
		return Event{}, fmt.Errorf("event is %d bytes, over the limit of %d", len(line), MaxLine)
	}
	if !utf8.Valid(line) {
		return Event{}, errors.New("event is not valid UTF-8")
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return Event{}, errors.New("event contains a NUL byte")
	}
	if first := bytes.TrimLeft(line, " \t\r\n"); len(first) == 0 || first[0] != '{' {
		if err := json.Unmarshal(line, new(any)); err != nil {
			return Event{}, fmt.Errorf("malformed JSON: %v", err)
		}
		return Event{}, errors.New("event must be a JSON object")
	}
	var fields rawFields
	if err := json.Unmarshal(line, &fields); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return Event{}, errors.New("event must be a JSON object")
		}
		return Event{}, fmt.Errorf("malformed JSON: %v", err)
	}
	r := &reader{fields: &fields, now: p.now()}
	var e Event
	switch t {
	case TransactionEvents:
		e.Transaction = r.transaction()
	case UserEvents:
		e.User = r.user()
	case UserActivity:
		e.Activity = r.activity()
	default:
		return Event{}, fmt.Errorf("unknown topic %q", t)
	}
	if len(r.errs) > 0 {
		return Event{}, errors.New(strings.Join(r.errs, "; "))
	}
	return e, nil
}

func (p Parser) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

// Enumerations of the contract.
var (
	TransactionEventTypes = []string{Initiated, PhysicsSealCaptured, Submitted, Completed, Failed}
	UserEventTypes        = []string{SignedUp, StatusChanged}
	ActivityTypes         = []string{"login", "transaction", "qr_scan", "balance_check"}
	Channels              = []string{"online", "offline_sms"}
	SignupSources         = []string{"organic", "referral", "bank_promotion"}
	UserStatuses          = []string{"active", "suspended", "closed"}
	Currencies            = []string{"ZAR"}
)

// Longest text of each field, as the PostgreSQL columns hold them.
const (
	maxBankCode   = 20
	maxDeviceType = 50
	maxAppVersion = 20
	maxReason     = 50
	maxErrorCode  = 50
	maxHash       = 64
	maxBloodHash  = 16
	maxPublicKey  = 1000
	maxLocation   = 64
	// A final event's processing time may not exceed a day: a payment is failed long before.
	maxProcessingMS = 24 * 60 * 60 * 1000
)

func (r *reader) transaction() *Transaction {
	e := &Transaction{
		EventID:       r.uuid("event_id", true),
		TransactionID: r.uuid("transaction_id", true),
		UserID:        r.uuid("user_id", true),
		EventType:     r.enum("event_type", true, TransactionEventTypes),
		Timestamp:     r.timestamp("timestamp"),
		Amount:        r.amount("amount"),
		Currency:      r.enum("currency", false, Currencies),
		BankID:        r.text("bank_id", false, maxBankCode),
		DeviceType:    r.text("device_type", false, maxDeviceType),
		Channel:       r.enum("channel", false, Channels),
		SentinelScore: r.score("sentinel_score"),
		FailureReason: r.text("failure_reason", false, maxReason),
		ErrorCode:     r.text("error_code", false, maxErrorCode),
		RecipientID:   r.uuid("recipient_id", false),
		AppVersion:    r.text("app_version", false, maxAppVersion),
	}
	e.PhysicsSealHash = r.text("physics_seal_hash", false, maxHash)
	e.ProcessingTimeMS = r.integer("processing_time_ms", 0, maxProcessingMS)
	if e.Currency == "" {
		e.Currency = "ZAR"
	}
	switch e.EventType {
	case Initiated:
		r.need(e.Amount.Valid, "amount")
		r.need(e.BankID != "", "bank_id")
		r.need(e.Channel != "", "channel")
		r.need(e.RecipientID != uuid.Nil, "recipient_id")
		r.need(e.PhysicsSealHash != "", "physics_seal_hash")
		if e.RecipientID != uuid.Nil && e.RecipientID == e.UserID {
			r.fail("recipient_id: a payment to oneself is not a payment")
		}
	case Completed, Failed:
		r.need(e.ProcessingTimeMS != nil, "processing_time_ms")
	}
	if e.EventType == Failed {
		r.need(e.FailureReason != "", "failure_reason")
	} else if e.FailureReason != "" && e.EventType != "" {
		r.fail("failure_reason: only a failed event has one")
	}
	if e.EventType != Initiated && e.EventType != "" {
		for _, f := range []struct {
			name string
			set  bool
		}{{"recipient_id", e.RecipientID != uuid.Nil}, {"physics_seal_hash", e.PhysicsSealHash != ""}} {
			if f.set {
				r.fail(f.name + ": only the initiated event carries it")
			}
		}
	}
	return e
}

func (r *reader) user() *User {
	e := &User{
		EventID:         r.uuid("event_id", true),
		EventType:       r.enum("event_type", true, UserEventTypes),
		Timestamp:       r.timestamp("timestamp"),
		UserID:          r.uuid("user_id", true),
		PhoneNumberHash: r.text("phone_number_hash", false, maxHash),
		BloodHash:       r.text("blood_hash", false, maxBloodHash),
		DevicePublicKey: r.text("device_public_key", false, maxPublicKey),
		SignupSource:    r.enum("signup_source", false, SignupSources),
		ReferrerUserID:  r.uuid("referrer_user_id", false),
		PromoBankCode:   r.text("promo_bank_code", false, maxBankCode),
		Status:          r.enum("status", false, UserStatuses),
	}
	switch e.EventType {
	case SignedUp:
		r.need(e.PhoneNumberHash != "", "phone_number_hash")
		r.need(e.BloodHash != "", "blood_hash")
		r.need(e.DevicePublicKey != "", "device_public_key")
		if e.SignupSource == "" {
			e.SignupSource = "organic"
		}
		if (e.SignupSource == "referral") != (e.ReferrerUserID != uuid.Nil) {
			r.fail("referrer_user_id: required with signup_source referral, and only with it")
		}
		if e.ReferrerUserID != uuid.Nil && e.ReferrerUserID == e.UserID {
			r.fail("referrer_user_id: a user cannot refer themselves")
		}
		if e.PromoBankCode != "" && e.SignupSource != "bank_promotion" {
			r.fail("promo_bank_code: only with signup_source bank_promotion")
		}
		if e.Status != "" && e.Status != "active" {
			r.fail("status: a new account is active; change it with a status_changed event")
		}
		e.Status = "active"
	case StatusChanged:
		r.need(e.Status != "", "status")
	}
	return e
}

func (r *reader) activity() *Activity {
	return &Activity{
		EventID:      r.uuid("event_id", true),
		UserID:       r.uuid("user_id", true),
		ActivityType: r.enum("activity_type", true, ActivityTypes),
		Timestamp:    r.timestamp("timestamp"),
		DeviceType:   r.text("device_type", false, maxDeviceType),
		AppVersion:   r.text("app_version", false, maxAppVersion),
		LocationHash: r.text("location_hash", false, maxLocation),
	}
}

// rawFields are the contract's fields of every topic, each as the JSON it was sent as (absent:
// nil). Decoding into a struct rather than a map leaves unknown fields behind without
// allocating for them, which matters at tens of thousands of events a second.
type rawFields struct {
	EventID          json.RawMessage `json:"event_id"`
	TransactionID    json.RawMessage `json:"transaction_id"`
	UserID           json.RawMessage `json:"user_id"`
	EventType        json.RawMessage `json:"event_type"`
	Timestamp        json.RawMessage `json:"timestamp"`
	Amount           json.RawMessage `json:"amount"`
	Currency         json.RawMessage `json:"currency"`
	BankID           json.RawMessage `json:"bank_id"`
	DeviceType       json.RawMessage `json:"device_type"`
	Channel          json.RawMessage `json:"channel"`
	ProcessingTimeMS json.RawMessage `json:"processing_time_ms"`
	SentinelScore    json.RawMessage `json:"sentinel_score"`
	FailureReason    json.RawMessage `json:"failure_reason"`
	ErrorCode        json.RawMessage `json:"error_code"`
	RecipientID      json.RawMessage `json:"recipient_id"`
	PhysicsSealHash  json.RawMessage `json:"physics_seal_hash"`
	AppVersion       json.RawMessage `json:"app_version"`
	PhoneNumberHash  json.RawMessage `json:"phone_number_hash"`
	BloodHash        json.RawMessage `json:"blood_hash"`
	DevicePublicKey  json.RawMessage `json:"device_public_key"`
	SignupSource     json.RawMessage `json:"signup_source"`
	ReferrerUserID   json.RawMessage `json:"referrer_user_id"`
	PromoBankCode    json.RawMessage `json:"promo_bank_code"`
	Status           json.RawMessage `json:"status"`
	ActivityType     json.RawMessage `json:"activity_type"`
	LocationHash     json.RawMessage `json:"location_hash"`
}

func (f *rawFields) get(name string) json.RawMessage {
	switch name {
	case "event_id":
		return f.EventID
	case "transaction_id":
		return f.TransactionID
	case "user_id":
		return f.UserID
	case "event_type":
		return f.EventType
	case "timestamp":
		return f.Timestamp
	case "amount":
		return f.Amount
	case "currency":
		return f.Currency
	case "bank_id":
		return f.BankID
	case "device_type":
		return f.DeviceType
	case "channel":
		return f.Channel
	case "processing_time_ms":
		return f.ProcessingTimeMS
	case "sentinel_score":
		return f.SentinelScore
	case "failure_reason":
		return f.FailureReason
	case "error_code":
		return f.ErrorCode
	case "recipient_id":
		return f.RecipientID
	case "physics_seal_hash":
		return f.PhysicsSealHash
	case "app_version":
		return f.AppVersion
	case "phone_number_hash":
		return f.PhoneNumberHash
	case "blood_hash":
		return f.BloodHash
	case "device_public_key":
		return f.DevicePublicKey
	case "signup_source":
		return f.SignupSource
	case "referrer_user_id":
		return f.ReferrerUserID
	case "promo_bank_code":
		return f.PromoBankCode
	case "status":
		return f.Status
	case "activity_type":
		return f.ActivityType
	case "location_hash":
		return f.LocationHash
	}
	panic("events: no field " + name)
}

// reader takes fields out of one decoded object, collecting a sentence per fault.
type reader struct {
	fields *rawFields
	now    time.Time
	errs   []string
}

func (r *reader) fail(msg string) { r.errs = append(r.errs, msg) }

func (r *reader) need(ok bool, name string) {
	if !ok {
		r.missing(name)
	}
}

func (r *reader) missing(name string) {
	for _, e := range r.errs {
		if strings.HasPrefix(e, name+":") {
			return // already said something about it
		}
	}
	r.fail(name + ": required")
}

// raw returns the field's JSON, or nil when it is absent or null.
func (r *reader) raw(name string) json.RawMessage {
	v := r.fields.get(name)
	if v == nil || string(v) == "null" {
		return nil
	}
	return v
}

// str reads a JSON string field; ok is false when absent or not a string (said once).
func (r *reader) str(name string) (string, bool) {
	v := r.raw(name)
	if v == nil {
		return "", false
	}
	if plain, ok := plainString(v); ok {
		return plain, true
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		r.fail(name + ": must be a string")
		return "", false
	}
	return s, true
}

func (r *reader) text(name string, required bool, max int) string {
	s, ok := r.str(name)
	if !ok || s == "" {
		if required {
			r.missing(name)
		}
		return ""
	}
	if n := utf8.RuneCountInString(s); n > max {
		r.fail(fmt.Sprintf("%s: %d characters, at most %d", name, n, max))
		return ""
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		r.fail(name + ": must not contain control characters")
		return ""
	}
	return s
}

func (r *reader) enum(name string, required bool, allowed []string) string {
	s, ok := r.str(name)
	if !ok || s == "" {
		if required {
			r.missing(name)
		}
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	r.fail(fmt.Sprintf("%s: %q is not one of %s", name, truncate(s, 40), strings.Join(allowed, ", ")))
	return ""
}

func (r *reader) uuid(name string, required bool) uuid.UUID {
	s, ok := r.str(name)
	if !ok || s == "" {
		if required {
			r.missing(name)
		}
		return uuid.Nil
	}
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 || id == uuid.Nil {
		r.fail(fmt.Sprintf("%s: %q is not a UUID", name, truncate(s, 40)))
		return uuid.Nil
	}
	return id
}

func (r *reader) timestamp(name string) time.Time {
	s, ok := r.str(name)
	if !ok || s == "" {
		r.missing(name)
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.fail(fmt.Sprintf("%s: %q is not an RFC 3339 time with an offset (2026-12-01T09:30:00+02:00)", name, truncate(s, 40)))
		return time.Time{}
	}
	switch {
	case t.Before(Earliest):
		r.fail(fmt.Sprintf("%s: %s is before Mari launched (%s)", name, s, Earliest.Format(time.DateOnly)))
	case t.After(r.now.Add(FutureSkew)):
		r.fail(fmt.Sprintf("%s: %s is more than %s in the future", name, s, FutureSkew))
	default:
		// PostgreSQL keeps microseconds; ClickHouse seconds. Both read the same instant.
		return t.Truncate(time.Microsecond)
	}
	return time.Time{}
}

// amount reads money exactly: a JSON number or a decimal string, never through float64.
func (r *reader) amount(name string) decimal.NullDecimal {
	v := r.raw(name)
	if v == nil {
		return decimal.NullDecimal{}
	}
	text := string(v)
	if len(v) > 0 && v[0] == '"' {
		if err := json.Unmarshal(v, &text); err != nil {
			r.fail(name + ": must be a decimal string or a number")
			return decimal.NullDecimal{}
		}
	} else if len(v) > 0 && v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		r.fail(name + ": must be a decimal string or a number")
		return decimal.NullDecimal{}
	}
	if len(text) > 40 || strings.ContainsAny(text, "eE") {
		r.fail(fmt.Sprintf("%s: %q is not a plain decimal (write 125.50)", name, truncate(text, 40)))
		return decimal.NullDecimal{}
	}
	d, err := decimal.NewFromString(text)
	if err != nil {
		r.fail(fmt.Sprintf("%s: %q is not a decimal number", name, truncate(text, 40)))
		return decimal.NullDecimal{}
	}
	switch {
	case !d.IsPositive():
		r.fail(name + ": must be more than zero")
	case d.Exponent() < -2:
		r.fail(name + ": more than two decimal places (cents)")
	case d.GreaterThanOrEqual(maxAmount):
		r.fail(name + ": too large (at most 9999999999999.99)")
	default:
		return decimal.NewNullDecimal(d.Round(2))
	}
	return decimal.NullDecimal{}
}

func (r *reader) integer(name string, min, max int64) *int32 {
	v := r.raw(name)
	if v == nil {
		return nil
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		r.fail(name + ": must be a whole number")
		return nil
	}
	if n < min || n > max {
		r.fail(fmt.Sprintf("%s: %d is outside %d to %d", name, n, min, max))
		return nil
	}
	i := int32(n)
	return &i
}

// score reads the risk score, a number from 0 to 1 (not money: a float is what it is).
func (r *reader) score(name string) *float32 {
	v := r.raw(name)
	if v == nil {
		return nil
	}
	f, err := strconv.ParseFloat(string(v), 32)
	if err != nil || f < 0 || f > 1 {
		r.fail(name + ": must be a number from 0 to 1")
		return nil
	}
	s := float32(f)
	return &s
}

// plainString reads a JSON string without escapes directly (the line is valid UTF-8 and was
// decoded once already); ok is false for anything else, which goes through json.Unmarshal.
func plainString(v json.RawMessage) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') >= 0 || bytes.IndexByte(inner, '"') >= 0 {
		return "", false
	}
	return string(inner), true
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
