package dbtest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Typed test data: each helper writes one row with the defaults a test does not care about,
// so a hand-worked dataset reads as the facts that matter. Times are SAST wall-clock strings.

// UserID is the id the helpers give the user called name.
func UserID(name string) uuid.UUID { return uuid.NewSHA1(uuid.NameSpaceOID, []byte("user-"+name)) }

// Bank is a partnership. Share is the bank's share of the transaction fee ("0.25"); "" means
// the table's default (30%). End "" means open-ended.
type Bank struct {
	Code, Start, End string
	Fee              string // monthly licensing fee in rand
	Share            string
}

// Insert writes the bank.
func (b Bank) Insert(t testing.TB, db *DB) {
	t.Helper()
	share := b.Share
	if share == "" {
		share = "0.3000"
	}
	var end any
	if b.End != "" {
		end = b.End
	}
	fee := b.Fee
	if fee == "" {
		fee = "0"
	}
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date, contract_end_date,
			monthly_fee, transaction_fee_percentage)
		VALUES ($1, $2, 'active', $3::date, $4::date, $5::numeric, $6::numeric)`,
		"Bank "+b.Code, b.Code, b.Start, end, fee, share)
}

// User signs up at Created.
type User struct {
	Name, Created string
	Source        string // "" = organic
}

// Insert writes the user.
func (u User) Insert(t testing.TB, db *DB) {
	t.Helper()
	source := u.Source
	if source == "" {
		source = "organic"
	}
	at := SAST(u.Created)
	db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at, last_active, signup_source)
		VALUES ($1, $2, $3, 'key', $4, $4, $5)`, UserID(u.Name), "phone-"+u.Name, "blood-"+u.Name, at, source)
}

// Tx is a transaction from From to To, initiated At. Status is COMPLETED, FAILED or PENDING;
// a final one took ProcessingMS (default 1 000) and a failed one failed for
// insufficient_funds. Bank "" means none.
type Tx struct {
	From, To     string
	Amount       string
	Status       string
	At           string
	Bank         string
	Channel      string // "" = online
	ProcessingMS int
	Fraud        bool
}

var txSeq atomic.Int64

// Insert writes the transaction.
func (x Tx) Insert(t testing.TB, db *DB) {
	t.Helper()
	n := txSeq.Add(1)
	at := SAST(x.At)
	var completedAt *time.Time
	var reason *string
	var ms *int
	if x.Status != "PENDING" {
		took := x.ProcessingMS
		if took == 0 {
			took = 1000
		}
		c := at.Add(time.Duration(took) * time.Millisecond)
		completedAt, ms = &c, &took
	}
	if x.Status == "FAILED" {
		r := "insufficient_funds"
		reason = &r
	}
	var bank *string
	if x.Bank != "" {
		bank = &x.Bank
	}
	channel := x.Channel
	if channel == "" {
		channel = "online"
	}
	db.Exec(t, `INSERT INTO transactions (sender_id, recipient_id, amount, status, physics_seal_hash, bank_id,
			created_at, completed_at, channel, processing_time_ms, failure_reason, is_fraud)
		VALUES ($1, $2, $3::numeric, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		UserID(x.From), UserID(x.To), x.Amount, x.Status, fmt.Sprintf("seal-%s-%d", db.Name, n), bank,
		at, completedAt, channel, ms, reason, x.Fraud)
}

// Cost books amount in category for the month starting Month ("2026-10-01").
type Cost struct {
	Month, Category, Amount string
}

// Insert writes the cost.
func (c Cost) Insert(t testing.TB, db *DB) {
	t.Helper()
	db.Exec(t, `INSERT INTO monthly_costs (month, category, amount) VALUES ($1::date, $2, $3::numeric)`, c.Month, c.Category, c.Amount)
}
