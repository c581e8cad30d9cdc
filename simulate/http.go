package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"mari/events"
)

// HTTPOptions configure an HTTPSink.
type HTTPOptions struct {
	BaseURL    string        // the app, e.g. http://127.0.0.1:8080; batches go to <base>/ingest/v1/<topic>
	Token      string        // the bearer token
	Client     *http.Client  // nil: a client with a 30 s timeout
	MaxBatch   int           // events per request (default 500)
	FlushEvery time.Duration // a partial batch waits at most this long (default 200 ms)
	MinBackoff time.Duration // first wait before a retry (default 250 ms), doubling
	MaxBackoff time.Duration // longest wait between retries (default 15 s)
	Log        *slog.Logger  // nil: slog.Default()
}

// HTTPSink posts newline-delimited JSON batches, one topic per request. A batch refused for a
// reason that may pass (503, 429, another 5xx, no answer) is sent again, the same bytes, until
// it is answered: the receiver dedupes by event_id, so a retry of a batch that did land is
// harmless. A batch refused as a whole for any other 4xx is logged and dropped; a 401 or 403
// stops the sink (every later batch would be refused too).
type HTTPSink struct {
	o      HTTPOptions
	in     chan events.Event
	done   chan struct{}
	dead   chan struct{} // closed when the token is refused
	err    error         // why dead; set before dead is closed
	ctx    context.Context
	cancel context.CancelFunc
	stats  counters
	close  sync.Once
}

// NewHTTPSink starts a sink.
func NewHTTPSink(o HTTPOptions) (*HTTPSink, error) {
	if o.BaseURL == "" {
		return nil, errors.New("no ingest URL")
	}
	if o.Token == "" {
		return nil, errors.New("no ingest token (set MARI_INGEST_TOKEN)")
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 500
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = 200 * time.Millisecond
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 250 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(15*time.Second, o.MinBackoff)
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	s := &HTTPSink{o: o, in: make(chan events.Event, 2*o.MaxBatch), done: make(chan struct{}), dead: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go s.loop()
	return s, nil
}

// Send queues e.
func (s *HTTPSink) Send(ctx context.Context, e events.Event) error {
	select {
	case s.in <- e:
		return nil
	case <-s.dead:
		return s.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close sends what is queued. When ctx ends first, what is left is dropped.
func (s *HTTPSink) Close(ctx context.Context) error {
	s.close.Do(func() { close(s.in) })
	select {
	case <-s.done:
	case <-ctx.Done():
		s.cancel()
		<-s.done
	}
	s.cancel()
	select {
	case <-s.dead:
		return s.err
	default:
		return nil
	}
}

// Stats counts what was delivered.
func (s *HTTPSink) Stats() Stats { return s.stats.snapshot() }

type pending struct {
	body  bytes.Buffer
	lines int
}

func (s *HTTPSink) loop() {
	defer close(s.done)
	batches := map[events.Topic]*pending{}
	for _, t := range events.Topics {
		batches[t] = &pending{}
	}
	// flush posts the topic's batch; a user's sign-up goes out first, so the payments and
	// activity that name a new user reach the receiver after the user does.
	flush := func(topics ...events.Topic) {
		for _, t := range append([]events.Topic{events.UserEvents}, topics...) {
			b := batches[t]
			if b.lines == 0 {
				continue
			}
			s.post(t, b.body.Bytes(), b.lines)
			b.body.Reset()
			b.lines = 0
		}
	}
	tick := time.NewTicker(s.o.FlushEvery)
	defer tick.Stop()
	for {
		select {
		case e, ok := <-s.in:
			if !ok {
				flush(events.Topics...)
				return
			}
			line, err := e.MarshalJSON()
			if err != nil { // cannot happen for the generator's events; never send half a line
				s.o.Log.Error("simulate: encode event", "err", err)
				continue
			}
			t := e.Topic()
			b := batches[t]
			b.body.Write(line)
			b.body.WriteByte('\n')
			b.lines++
			if b.lines >= s.o.MaxBatch {
				flush(t)
			}
		case <-tick.C:
			flush(events.Topics...)
		}
	}
}

// ingestAnswer is the receiver's answer to a batch.
type ingestAnswer struct {
	Accepted   int64 `json:"accepted"`
	Duplicates int64 `json:"duplicates"`
	Held       int64 `json:"held"`
	Rejected   []struct {
		Line  int    `json:"line"`
		Error string `json:"error"`
	} `json:"rejected"`
}

// post delivers one batch, retrying it while the refusal may pass.
func (s *HTTPSink) post(t events.Topic, body []byte, lines int) {
	url := s.o.BaseURL + "/ingest/v1/" + string(t)
	wait := s.o.MinBackoff
	for attempt := 0; ; attempt++ {
		if s.ctx.Err() != nil || s.isDead() {
			s.stats.add(func(st *Stats) { st.Dropped += int64(lines) })
			return
		}
		status, answer, retryAfter, err := s.do(url, body)
		switch {
		case err == nil && status/100 == 2:
			var a ingestAnswer
			if jerr := json.Unmarshal(answer, &a); jerr != nil {
				s.o.Log.Warn("simulate: ingest answer is not the expected JSON", "topic", t, "err", jerr, "answer", clip(answer))
			}
			s.stats.add(func(st *Stats) {
				st.Sent[t] += int64(lines)
				st.Accepted += a.Accepted
				st.Duplicates += a.Duplicates
				st.Held += a.Held
				st.Rejected += int64(len(a.Rejected))
			})
			s.logRejected(t, body, a)
			return
		case err == nil && status == http.StatusRequestEntityTooLarge && lines > 1:
			// Over the receiver's body limit: send each half on its own, split at a line end.
			half := lineOffset(body, lines/2)
			s.post(t, body[:half], lines/2)
			s.post(t, body[half:], lines-lines/2)
			return
		case err == nil && (status == http.StatusUnauthorized || status == http.StatusForbidden):
			s.err = fmt.Errorf("the ingest endpoint refused the token (%d %s): check MARI_INGEST_TOKEN", status, clip(answer))
			close(s.dead)
			s.stats.add(func(st *Stats) { st.Dropped += int64(lines) })
			return
		case err == nil && status/100 == 4 && status != http.StatusTooManyRequests:
			s.o.Log.Warn("simulate: batch refused, dropped", "topic", t, "status", status, "events", lines, "answer", clip(answer))
			s.stats.add(func(st *Stats) { st.Dropped += int64(lines) })
			return
		}
		// 429, 5xx or no answer: the same batch again, after a while.
		delay := wait
		if retryAfter > 0 {
			delay = min(retryAfter, time.Minute)
		} else {
			delay = time.Duration(float64(delay) * (0.8 + 0.4*rand.Float64()))
		}
		if err != nil {
			s.o.Log.Warn("simulate: ingest unreachable, will retry", "topic", t, "err", err, "in", delay)
		} else {
			s.o.Log.Warn("simulate: ingest busy or failing, will retry", "topic", t, "status", status, "in", delay)
		}
		s.stats.add(func(st *Stats) { st.Retries++ })
		select {
		case <-time.After(delay):
		case <-s.ctx.Done():
		}
		wait = min(2*wait, s.o.MaxBackoff)
	}
}

func (s *HTTPSink) isDead() bool {
	select {
	case <-s.dead:
		return true
	default:
		return false
	}
}

func (s *HTTPSink) do(url string, body []byte) (status int, answer []byte, retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+s.o.Token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := s.o.Client.Do(req)
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	answer, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, 0, err
	}
	if secs, perr := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); perr == nil && secs >= 0 {
		retryAfter = max(time.Duration(secs)*time.Second, time.Millisecond)
	}
	return resp.StatusCode, answer, retryAfter, nil
}

// logRejected logs the lines the receiver refused (the first few of a batch, with the line).
func (s *HTTPSink) logRejected(t events.Topic, body []byte, a ingestAnswer) {
	for i, r := range a.Rejected {
		if i == 5 {
			s.o.Log.Warn("simulate: more lines rejected", "topic", t, "count", len(a.Rejected)-i)
			return
		}
		line := ""
		if r.Line >= 1 {
			start := lineOffset(body, r.Line-1)
			end := lineOffset(body, r.Line)
			line = string(bytes.TrimRight(body[start:end], "\n"))
		}
		s.o.Log.Warn("simulate: line rejected", "topic", t, "line", r.Line, "error", r.Error, "event", clip([]byte(line)))
	}
}

// lineOffset is the offset where line n (0-based) of body starts (len(body) past the last).
func lineOffset(body []byte, n int) int {
	off := 0
	for range n {
		i := bytes.IndexByte(body[off:], '\n')
		if i < 0 {
			return len(body)
		}
		off += i + 1
	}
	return off
}

func clip(b []byte) string {
	const n = 300
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
