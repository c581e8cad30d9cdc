package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mari/events"
	"mari/ingest"
	"mari/queries"
)

// Ingest serves POST /ingest/v1/{topic}: events over HTTP, for producers without Kafka. It is
// a machine endpoint: a bearer token, never a session; JSON answers, never pages.
type Ingest struct {
	Store   *ingest.Store
	Tokens  ingest.Tokens
	MaxBody int64
	Timeout time.Duration
	Log     *slog.Logger
	Now     func() time.Time
}

// IngestAnswer is the answer to a batch: every line is counted once, in one of the four.
type IngestAnswer struct {
	Accepted   int              `json:"accepted"`
	Duplicates int              `json:"duplicates"`
	Held       int              `json:"held"`
	Rejected   []IngestRejected `json:"rejected"`
}

// IngestRejected is a line that was not stored, and why. Line counts from 1; in a JSON array
// body it is the element's position.
type IngestRejected struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

type ingestError struct {
	Error string `json:"error"`
}

func ingestFail(c echo.Context, status int, msg string) error {
	return c.JSON(status, ingestError{Error: msg})
}

// Post judges and stores one batch.
func (h *Ingest) Post(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("X-Content-Type-Options", "nosniff")
	r := c.Request()
	if r.Method != http.MethodPost {
		c.Response().Header().Set("Allow", http.MethodPost)
		return ingestFail(c, http.StatusMethodNotAllowed, "send events with POST")
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.Timeout)
	defer cancel()

	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="mari-ingest"`)
		return ingestFail(c, http.StatusUnauthorized, "send an ingestion token: Authorization: Bearer <token> (mari ingest-token create)")
	}
	tokenID, tokenName, ok, err := h.Tokens.Authenticate(ctx, strings.TrimSpace(bearer))
	if err != nil {
		return h.unavailable(c, err)
	}
	if !ok {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="mari-ingest", error="invalid_token"`)
		return ingestFail(c, http.StatusUnauthorized, "this token is not valid (revoked, or never issued)")
	}

	topic, ok := events.ParseTopic(c.Param("topic"))
	if !ok {
		return ingestFail(c, http.StatusNotFound, fmt.Sprintf("unknown topic; use one of %s, %s, %s",
			events.UserEvents, events.TransactionEvents, events.UserActivity))
	}
	if r.ContentLength > h.MaxBody {
		return ingestFail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is %d bytes; at most %d per request: send smaller batches", r.ContentLength, h.MaxBody))
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, h.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return ingestFail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes: send smaller batches", h.MaxBody))
		}
		return ingestFail(c, http.StatusBadRequest, "the body could not be read")
	}
	lines, numbers, err := splitBatch(topic, body, fmt.Sprintf("http token %s", tokenName))
	if err != nil {
		return ingestFail(c, http.StatusBadRequest, err.Error())
	}
	res, err := h.Store.Ingest(ctx, lines)
	if err != nil {
		return h.unavailable(c, err)
	}
	if err := queries.IngestTokenUsed(ctx, h.Store.PG, tokenID, h.Now(), res.Accepted); err != nil {
		h.Log.Warn("ingest: counting a token's use", "token", tokenName, "err", err)
	}
	answer := IngestAnswer{Accepted: res.Accepted, Duplicates: res.Duplicates, Held: res.Held, Rejected: []IngestRejected{}}
	for _, rej := range res.Rejected {
		answer.Rejected = append(answer.Rejected, IngestRejected{Line: numbers[rej.Index], Error: rej.Error})
	}
	return c.JSON(http.StatusOK, answer)
}

// unavailable answers a batch that could not be stored at all: nothing of it was written, so
// sending it again is safe (and is what a producer should do).
func (h *Ingest) unavailable(c echo.Context, err error) error {
	h.Log.Error("ingest: batch not stored", "err", err)
	c.Response().Header().Set("Retry-After", "2")
	return ingestFail(c, http.StatusServiceUnavailable, "the database is unavailable; nothing from this request was stored: send it again")
}

// maxBatchLines bounds the events of one request (the body limit bounds their bytes).
const maxBatchLines = 100000

// splitBatch reads a body of newline-delimited JSON (one event per line; blank lines are
// skipped but counted) or one JSON array of events. numbers[i] is the line (or position) of
// lines[i].
func splitBatch(topic events.Topic, body []byte, source string) (lines []ingest.Line, numbers []int, err error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, nil, errors.New("the body is empty: send one JSON event per line")
	}
	add := func(n int, data []byte) {
		lines = append(lines, ingest.Line{Topic: topic, Data: data, Source: fmt.Sprintf("%s line %d", source, n)})
		numbers = append(numbers, n)
	}
	if trimmed[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, nil, fmt.Errorf("the body starts like a JSON array but is not one (%v); or send one event per line", err)
		}
		if len(items) > maxBatchLines {
			return nil, nil, fmt.Errorf("%d events in one request; at most %d", len(items), maxBatchLines)
		}
		for i, it := range items {
			add(i+1, it)
		}
		return lines, numbers, nil
	}
	n := 0
	for len(body) > 0 {
		n++
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if len(lines) == maxBatchLines {
			return nil, nil, fmt.Errorf("more than %d events in one request", maxBatchLines)
		}
		add(n, line)
	}
	return lines, numbers, nil
}
