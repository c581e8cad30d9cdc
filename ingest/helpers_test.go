package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"mari/dbtest"
	"mari/events"
	"mari/ingest/ingesttest"
)

// Typed event builders for hand-worked batches (package ingesttest, shared with the Kafka
// consumer's tests), here with times as SAST wall-clock strings, so a test reads as the story
// it tells.

func txID(name string) uuid.UUID { return ingesttest.TxID(name) }

func evID(name string) uuid.UUID { return ingesttest.EventID(name) }

// testNow is the clock of the tests' parser: events are stamped on 2026-11-30.
var testNow = dbtest.SAST("2026-11-30 23:00:00")

func initiated(ev, tx, from, to, amount, at string) events.Event {
	return ingesttest.Initiated(ev, tx, from, to, amount, dbtest.SAST(at))
}

func step(ev, tx, from, kind, at string) events.Event {
	return ingesttest.Step(ev, tx, from, kind, dbtest.SAST(at))
}

func final(ev, tx, from, kind, at string, ms int32, reason string) events.Event {
	return ingesttest.Final(ev, tx, from, kind, dbtest.SAST(at), ms, reason)
}

func signup(ev, user, at string) events.Event { return ingesttest.SignUp(ev, user, dbtest.SAST(at)) }

func activity(ev, user, kind, at string) events.Event {
	return ingesttest.Activity(ev, user, kind, dbtest.SAST(at))
}

// lines turns events into a batch as a producer would send it.
func lines(t testing.TB, evs ...events.Event) []Line {
	t.Helper()
	out := make([]Line, len(evs))
	for i, e := range evs {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = Line{Topic: e.Topic(), Data: b, Source: fmt.Sprintf("test line %d", i+1)}
	}
	return out
}

func raw(topic events.Topic, s string) Line {
	return Line{Topic: topic, Data: []byte(s), Source: "test raw"}
}

func testStore(db *dbtest.DB) *Store {
	s := NewStore(db.PG, nil)
	s.Parser.Now = func() time.Time { return testNow }
	s.Now = func() time.Time { return testNow }
	return s
}

func ingestOK(t testing.TB, s *Store, ls []Line) Result {
	t.Helper()
	res, err := s.Ingest(context.Background(), ls)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return res
}

// world is the fixture most tests start from: bank BANKA, users alice and bob.
func world(t testing.TB) *dbtest.DB {
	db := dbtest.New(t)
	dbtest.Bank{Code: "BANKA", Start: "2025-01-01"}.Insert(t, db)
	dbtest.User{Name: "alice", Created: "2026-01-05 09:00:00"}.Insert(t, db)
	dbtest.User{Name: "bob", Created: "2026-01-06 09:00:00"}.Insert(t, db)
	return db
}
