package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"mari/events"
)

type request struct {
	topic, auth, contentType string
	body                     []byte
	status                   int
}

// receiver is a stand-in for the ingest endpoint: it records every request and answers what
// answer decides (status 0: 200 with the counts of a receiver that accepts every line).
type receiver struct {
	mu       sync.Mutex
	requests []request
	answer   func(n int, topic string, body []byte) (status int, extra string)
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	topic, ok := strings.CutPrefix(req.URL.Path, "/ingest/v1/")
	r.mu.Lock()
	n := len(r.requests)
	status, extra := 0, ""
	if r.answer != nil {
		status, extra = r.answer(n, topic, body)
	}
	if !ok {
		status = http.StatusNotFound
	}
	if status == 0 {
		status = http.StatusOK
	}
	r.requests = append(r.requests, request{topic, req.Header.Get("Authorization"), req.Header.Get("Content-Type"), body, status})
	r.mu.Unlock()
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "0")
	}
	w.WriteHeader(status)
	if status == http.StatusOK {
		lines := bytes.Count(body, []byte("\n"))
		rejected := "[]"
		if extra != "" {
			rejected = extra
			lines--
		}
		fmt.Fprintf(w, `{"accepted":%d,"duplicates":0,"held":0,"rejected":%s}`, lines, rejected)
	} else {
		fmt.Fprintf(w, `{"error":"status %d"}`, status)
	}
}

func (r *receiver) all() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// streamEvents is a few minutes of a generator's events, at a fake clock.
func streamEvents(t *testing.T, rate float64, d time.Duration) []events.Event {
	t.Helper()
	users := make([]uuid.UUID, 200)
	for i := range users {
		users[i] = uuid.New()
	}
	g, err := New(Options{Rate: rate, Seed: 9, Start: t0, Population: Population{Users: users, Banks: []string{"UTB", "KCB"}}})
	if err != nil {
		t.Fatal(err)
	}
	var out []events.Event
	for now := t0; !now.After(t0.Add(d)); now = now.Add(100 * time.Millisecond) {
		_ = g.Advance(now, func(e events.Event) error { out = append(out, e); return nil })
	}
	return out
}

func newTestSink(t *testing.T, url string, log *bytes.Buffer) *HTTPSink {
	t.Helper()
	s, err := NewHTTPSink(HTTPOptions{BaseURL: url + "/", Token: "tok-123", MaxBatch: 500, FlushEvery: 20 * time.Millisecond,
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sendAll(t *testing.T, s Sink, evs []events.Event) error {
	t.Helper()
	ctx := context.Background()
	for _, e := range evs {
		if err := s.Send(ctx, e); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return s.Close(ctx)
}

// Batches are NDJSON of one topic each, at most MaxBatch lines, with the bearer token; a 503 is
// retried with the same bytes; every event arrives exactly once; rejected lines are counted and
// logged.
func TestHTTPSinkBatchesRetriesAndCounts(t *testing.T) {
	evs := streamEvents(t, 200, 3*time.Minute)
	var failedBody []byte
	rec := &receiver{answer: func(n int, topic string, body []byte) (int, string) {
		switch {
		case topic == string(events.TransactionEvents) && failedBody == nil:
			failedBody = body
			return http.StatusServiceUnavailable, ""
		case topic == string(events.UserActivity) && n > 0 && n%5 == 0:
			return 0, `[{"line":2,"error":"user_id: no such user"}]`
		}
		return 0, ""
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	var log bytes.Buffer
	sink := newTestSink(t, srv.URL, &log)
	if err := sendAll(t, sink, evs); err != nil {
		t.Fatal(err)
	}

	want := map[uuid.UUID]events.Topic{}
	byTopic := map[events.Topic]int64{}
	for _, e := range evs {
		want[e.ID()] = e.Topic()
		byTopic[e.Topic()]++
	}
	got := map[uuid.UUID]int{}
	reqs := rec.all()
	retried, rejectedLines := false, 0
	for i, r := range reqs {
		if r.auth != "Bearer tok-123" || r.contentType != "application/x-ndjson" {
			t.Fatalf("request %d: Authorization %q, Content-Type %q", i, r.auth, r.contentType)
		}
		topic, ok := events.ParseTopic(r.topic)
		if !ok {
			t.Fatalf("request %d to unknown topic %q", i, r.topic)
		}
		if !bytes.HasSuffix(r.body, []byte("\n")) {
			t.Fatalf("request %d: body does not end with a newline", i)
		}
		lines := bytes.Split(bytes.TrimSuffix(r.body, []byte("\n")), []byte("\n"))
		if len(lines) > 500 {
			t.Fatalf("request %d: %d lines, more than the batch of 500", i, len(lines))
		}
		for _, line := range lines {
			e, err := events.Parser{Now: func() time.Time { return t0.Add(time.Hour) }}.Parse(topic, line)
			if err != nil {
				t.Fatalf("request %d (%s): %v\n%s", i, topic, err, line)
			}
			if want[e.ID()] != topic {
				t.Fatalf("event %s posted to %s", e.ID(), topic)
			}
			if r.status == http.StatusOK {
				got[e.ID()]++
			}
		}
		if r.status == http.StatusServiceUnavailable {
			// The next request of the topic is the same batch, byte for byte.
			for _, next := range reqs[i+1:] {
				if next.topic == r.topic {
					if !bytes.Equal(next.body, r.body) {
						t.Fatalf("the batch after a 503 differs from the refused one (%d and %d bytes)", len(next.body), len(r.body))
					}
					retried = true
					break
				}
			}
		}
		if r.status == http.StatusOK && r.topic == string(events.UserActivity) && i > 0 && i%5 == 0 {
			rejectedLines++
		}
	}
	if !retried {
		t.Fatal("the 503'd batch was never sent again")
	}
	for id := range want {
		if got[id] != 1 {
			t.Fatalf("event %s delivered %d times, want once", id, got[id])
		}
	}
	st := sink.Stats()
	for topic, n := range byTopic {
		if st.Sent[topic] != n {
			t.Errorf("Sent[%s] = %d, want %d", topic, st.Sent[topic], n)
		}
	}
	if st.Retries != 1 || st.Dropped != 0 || st.Rejected != int64(rejectedLines) || rejectedLines == 0 {
		t.Errorf("stats %+v; want 1 retry, nothing dropped, %d rejected", st, rejectedLines)
	}
	if st.Accepted != int64(len(evs)-rejectedLines) {
		t.Errorf("accepted %d, want %d", st.Accepted, len(evs)-rejectedLines)
	}
	if !strings.Contains(log.String(), "user_id: no such user") {
		t.Errorf("rejected line not logged:\n%s", log.String())
	}
	t.Logf("%d events in %d requests; stats %+v", len(evs), len(reqs), st)
}

// A batch refused with a 4xx other than 429 (and 401/403, 413) is logged and dropped, not
// retried; a 413 is split in two; a 401 stops the sink with an error.
func TestHTTPSinkRefusals(t *testing.T) {
	evs := streamEvents(t, 100, time.Minute)
	var userEvents []events.Event
	for _, e := range evs {
		if e.Topic() == events.UserActivity {
			userEvents = append(userEvents, e)
		}
	}
	if len(userEvents) < 500 {
		t.Fatalf("only %d activity events: too few to fill a batch", len(userEvents))
	}
	batch := userEvents[:500]

	t.Run("400 drops", func(t *testing.T) {
		rec := &receiver{answer: func(int, string, []byte) (int, string) { return http.StatusBadRequest, "" }}
		srv := httptest.NewServer(rec)
		defer srv.Close()
		var log bytes.Buffer
		sink := newTestSink(t, srv.URL, &log)
		if err := sendAll(t, sink, batch); err != nil {
			t.Fatal(err)
		}
		if n := len(rec.all()); n != 1 {
			t.Errorf("%d requests, want 1 (no retry of a 400)", n)
		}
		if st := sink.Stats(); st.Dropped != 500 || st.Retries != 0 || st.Sent[events.UserActivity] != 0 {
			t.Errorf("stats %+v, want 500 dropped", st)
		}
		if !strings.Contains(log.String(), "status 400") {
			t.Errorf("the answer is not logged:\n%s", log.String())
		}
	})
	t.Run("413 splits", func(t *testing.T) {
		rec := &receiver{answer: func(_ int, _ string, body []byte) (int, string) {
			if bytes.Count(body, []byte("\n")) > 200 {
				return http.StatusRequestEntityTooLarge, ""
			}
			return 0, ""
		}}
		srv := httptest.NewServer(rec)
		defer srv.Close()
		var log bytes.Buffer
		sink := newTestSink(t, srv.URL, &log)
		if err := sendAll(t, sink, batch); err != nil {
			t.Fatal(err)
		}
		var delivered bytes.Buffer
		for _, r := range rec.all() {
			if r.status == http.StatusOK {
				delivered.Write(r.body)
			}
		}
		var want bytes.Buffer
		for _, e := range batch {
			line, _ := json.Marshal(e)
			want.Write(line)
			want.WriteByte('\n')
		}
		if !bytes.Equal(delivered.Bytes(), want.Bytes()) {
			t.Errorf("the halves do not add up to the batch (%d and %d bytes)", delivered.Len(), want.Len())
		}
		if st := sink.Stats(); st.Sent[events.UserActivity] != 500 || st.Dropped != 0 {
			t.Errorf("stats %+v, want all 500 sent", st)
		}
	})
	t.Run("401 stops", func(t *testing.T) {
		rec := &receiver{answer: func(int, string, []byte) (int, string) { return http.StatusUnauthorized, "" }}
		srv := httptest.NewServer(rec)
		defer srv.Close()
		var log bytes.Buffer
		sink := newTestSink(t, srv.URL, &log)
		var err error
		deadline := time.Now().Add(10 * time.Second)
		for i := 0; err == nil && time.Now().Before(deadline); i++ {
			err = sink.Send(context.Background(), evs[i%len(evs)])
			if i%500 == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
		if err == nil || !strings.Contains(err.Error(), "MARI_INGEST_TOKEN") {
			t.Fatalf("Send after a 401: %v, want an error naming the token", err)
		}
		if cerr := sink.Close(context.Background()); cerr == nil {
			t.Error("Close after a 401: want the error")
		}
		if n := len(rec.all()); n != 1 {
			t.Errorf("%d requests after a 401, want 1", n)
		}
	})
}

// Run drives the generator by the wall clock into a sink, reports progress, and flushes the sink
// when its context ends.
func TestRunStreamsUntilCancelled(t *testing.T) {
	rec := &receiver{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	var log, progress bytes.Buffer
	sink := newTestSink(t, srv.URL, &log)
	users := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	g, err := New(Options{Rate: 500, Seed: 4, Start: time.Now(), Population: Population{Users: users, Banks: []string{"UTB"}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if err := Run(ctx, g, sink, &progress, 500*time.Millisecond, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	var generated, delivered int64
	for _, n := range g.Emitted() {
		generated += n
	}
	for _, r := range rec.all() {
		delivered += int64(bytes.Count(r.body, []byte("\n")))
	}
	// 1.5 s at 500/s, fewer while the first payments are only starting: some hundreds.
	if generated < 100 || delivered != generated {
		t.Fatalf("generated %d, delivered %d: want every generated event delivered", generated, delivered)
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	if len(lines) < 3 || !strings.Contains(lines[len(lines)-1], fmt.Sprintf("generated %d", generated)) {
		t.Fatalf("progress lines:\n%s", progress.String())
	}
	t.Logf("progress:\n%s", progress.String())
}
