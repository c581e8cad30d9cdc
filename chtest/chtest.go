// Package chtest holds a hand-worked ClickHouse dataset and writes it, for the tests of the
// app's ClickHouse SQL: on the 18.16 server through PrepareBatch (the only insert that version
// takes), and in this package's own tests on a current ClickHouse embedded through chDB, where
// the same statements must give the same rows.
package chtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/queries"
)

// Event is one transaction event, written the way people read it.
type Event struct {
	Type    string // initiated, completed, failed
	At      string // SAST wall clock, "2006-01-02 15:04:05"
	MS      uint32 // processing time
	Reason  string // failure reason of a failed event
	Bank    string // "" is BANKA
	Channel string // "" is online
	Amount  string // "" is 10.00
}

// SAST parses "2006-01-02 15:04:05" as a wall-clock time in Africa/Johannesburg.
func SAST(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, calendar.SAST)
	if err != nil {
		panic(err)
	}
	return t
}

// SASTClock is an instant's SAST wall clock, "15:04".
func SASTClock(t time.Time) string { return t.In(calendar.SAST).Format("15:04") }

// Row is the event as the values of ch/demo_insert_events, in its column order. Identifiers
// are derived from the event's position (i) so both engines hold byte-identical rows.
func (e Event) Row(i int) []any {
	bank, channel, amount, code := e.Bank, e.Channel, e.Amount, ""
	if bank == "" {
		bank = "BANKA"
	}
	if channel == "" {
		channel = "online"
	}
	if amount == "" {
		amount = "10.00"
	}
	if e.Reason != "" {
		code = "E_" + strings.ToUpper(e.Reason)
	}
	return []any{id("event", i), id("transaction", i), id("user", i%3), e.Type, SAST(e.At),
		decimal.RequireFromString(amount), "ZAR", bank, "android", channel, e.MS, float32(i%4) / 4, e.Reason, code}
}

func id(kind string, i int) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "chtest-%s-%d", kind, i))
}

// Insert writes events into transaction_events of ch with the app's own insert statement,
// through PrepareBatch.
func Insert(t testing.TB, ch driver.Conn, events []Event) {
	t.Helper()
	ctx := context.Background()
	batch, err := ch.PrepareBatch(ctx, queries.SQL("ch/demo_insert_events"))
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range events {
		if err := batch.Append(e.Row(i)...); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
}

// ProcessingTimeEvents are the hand-worked dataset of the operations page's hourly processing
// time (all times SAST; bank A, online unless said). The hours that count run from 23:00 on
// 14 March to 04:00 on 15 March: the first on one SAST day, the rest on the next, and all of
// them on 14 March in UTC.
//
//	22:59:59         completed 60 000 ms: the hour before
//	23:00 (14 Mar)   completed 23:59:59, 5 000 ms                          → n 1: p50 = p95 = 5 000
//	00:00 (15 Mar)   bank B completed 00:00:00, 7 000 ms; failed 00:00:01, 100 ms
//	                                                                      → n 2: p50 100 (rank 1), p95 7 000 (rank 2)
//	01:00            20 final events, like the quiet hour of the complaint:
//	                 bank A online 400 500 520 700 730 800 850 900 1 000 1 100 1 200
//	                                1 500 1 700 2 500 2 918 (failed)
//	                 bank A offline SMS 610 2 100
//	                 bank B offline SMS 450 1 300 (failed) 3 515 (failed)
//	                 and an initiated event of 99 999 ms, not a final one: never counted.
//	                 Sorted: 400 450 500 520 610 700 730 800 850 900 | 1 000 1 100 1 200 1 300
//	                 1 500 1 700 2 100 2 500 2 918 | 3 515  → n 20: p50 = 10th = 900,
//	                 p95 = 19th = 2 918 (an interpolating or 0-based-index estimate lands near
//	                 or on the 20th, 3 515)
//	02:00            800 three times, 1 000 twice                        → n 5: p50 800 (rank 3), p95 1 000 (rank 5)
//	03:00            bank B completed 03:33:33, 1 234 ms (amount 12.34)   → n 1: p50 = p95 = 1 234
//	04:00:00         completed 60 000 ms: the hour after
//
// By filter, in hour 01:00 (every other hour is all bank A online except those said):
//
//	bank A (17):               400 500 520 610 700 730 800 850 900 … 2 918 → p50 rank 9 = 900, p95 rank 17 = 2 918
//	bank B (3):                450 1 300 3 515                             → p50 rank 2 = 1 300, p95 rank 3 = 3 515
//	offline SMS (5):           450 610 1 300 2 100 3 515                   → p50 rank 3 = 1 300, p95 rank 5 = 3 515
//	online (15):               400 500 520 700 730 800 850 900 … 2 918     → p50 rank 8 = 900, p95 rank 15 = 2 918
//	bank A, offline SMS (2):   610 2 100                                   → p50 610, p95 2 100
//	bank B, online:            none                                        → no hour 01:00
var ProcessingTimeEvents = []Event{
	{Type: "completed", At: "2026-03-14 22:59:59", MS: 60000},
	{Type: "completed", At: "2026-03-14 23:59:59", MS: 5000},
	{Type: "completed", At: "2026-03-15 00:00:00", MS: 7000, Bank: "BANKB"},
	{Type: "failed", At: "2026-03-15 00:00:01", MS: 100, Reason: "bank_timeout"},

	// 01:00, in no particular order of value.
	{Type: "completed", At: "2026-03-15 01:00:00", MS: 1500},
	{Type: "completed", At: "2026-03-15 01:03:00", MS: 400},
	{Type: "failed", At: "2026-03-15 01:06:00", MS: 3515, Reason: "bank_timeout", Bank: "BANKB", Channel: "offline_sms"},
	{Type: "completed", At: "2026-03-15 01:09:00", MS: 900},
	{Type: "completed", At: "2026-03-15 01:12:00", MS: 610, Channel: "offline_sms"},
	{Type: "completed", At: "2026-03-15 01:15:00", MS: 2500},
	{Type: "completed", At: "2026-03-15 01:18:00", MS: 500},
	{Type: "completed", At: "2026-03-15 01:21:00", MS: 450, Bank: "BANKB", Channel: "offline_sms"},
	{Type: "completed", At: "2026-03-15 01:24:00", MS: 1100},
	{Type: "completed", At: "2026-03-15 01:27:00", MS: 730},
	{Type: "initiated", At: "2026-03-15 01:30:00", MS: 99999},
	{Type: "failed", At: "2026-03-15 01:30:30", MS: 2918, Reason: "bank_timeout"},
	{Type: "completed", At: "2026-03-15 01:33:00", MS: 520},
	{Type: "completed", At: "2026-03-15 01:36:00", MS: 2100, Channel: "offline_sms"},
	{Type: "completed", At: "2026-03-15 01:39:00", MS: 800},
	{Type: "failed", At: "2026-03-15 01:42:00", MS: 1300, Reason: "insufficient_funds", Bank: "BANKB", Channel: "offline_sms"},
	{Type: "completed", At: "2026-03-15 01:45:00", MS: 1000},
	{Type: "completed", At: "2026-03-15 01:48:00", MS: 700},
	{Type: "completed", At: "2026-03-15 01:51:00", MS: 1200},
	{Type: "completed", At: "2026-03-15 01:54:00", MS: 850},
	{Type: "completed", At: "2026-03-15 01:59:59", MS: 1700},

	{Type: "completed", At: "2026-03-15 02:05:00", MS: 800},
	{Type: "completed", At: "2026-03-15 02:15:00", MS: 1000},
	{Type: "completed", At: "2026-03-15 02:25:00", MS: 800},
	{Type: "completed", At: "2026-03-15 02:35:00", MS: 1000},
	{Type: "completed", At: "2026-03-15 02:45:00", MS: 800},
	{Type: "completed", At: "2026-03-15 03:33:33", MS: 1234, Bank: "BANKB", Amount: "12.34"},
	{Type: "completed", At: "2026-03-15 04:00:00", MS: 60000},
}
