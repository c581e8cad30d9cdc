package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mari/calendar"
	"mari/ingest"
	"mari/queries"
	"mari/views"
)

// IngestAdmin serves /admin/ingest: the stream's counters, its tokens and its dead letters.
type IngestAdmin struct {
	db     queries.DB
	tokens ingest.Tokens
	log    *slog.Logger
	now    func() time.Time
	// timeout bounds the counters, which scan today's ledger: a slow count says so instead
	// of holding the page.
	timeout time.Duration
}

// NewIngestAdmin returns the handler.
func NewIngestAdmin(db queries.DB, timeout time.Duration, now func() time.Time, log *slog.Logger) *IngestAdmin {
	return &IngestAdmin{db: db, tokens: ingest.Tokens{PG: db, Now: now}, log: log, now: now, timeout: timeout}
}

// DeadLetterLimit is how many dead letters the page lists.
const DeadLetterLimit = 100

var ingestDone = map[string]string{"revoked": "The token was revoked: its next request is refused."}

// Page shows the page.
func (h *IngestAdmin) Page(c echo.Context) error {
	return h.page(c, http.StatusOK, views.IngestPage{Notice: ingestDone[c.QueryParam("done")]})
}

func (h *IngestAdmin) page(c echo.Context, status int, v views.IngestPage) error {
	ctx := c.Request().Context()
	h.status(ctx, &v)
	tokens, err := queries.IngestTokenList(ctx, h.db)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		row := views.IngestTokenRow{ID: t.ID, Name: t.Name, Events: views.Count(t.EventsAccepted), LastUsed: "never",
			Created: sastTime(t.CreatedAt) + " by " + t.CreatedBy}
		if t.LastUsedAt != nil {
			row.LastUsed = sastTime(*t.LastUsedAt)
		}
		if t.RevokedAt != nil {
			row.Revoked = sastTime(*t.RevokedAt)
		}
		v.Tokens = append(v.Tokens, row)
	}
	dead, err := queries.IngestDeadLettersRecent(ctx, h.db, DeadLetterLimit)
	if err != nil {
		return err
	}
	for _, d := range dead {
		v.DeadLetterList = append(v.DeadLetterList, views.DeadLetterRow{Topic: d.Topic, Source: d.Source, EventID: d.EventID,
			Reason: d.Reason, Payload: d.Payload, LastSeen: sastTime(d.LastSeen), TimesSeen: d.TimesSeen})
	}
	return render(c, status, views.Ingest(v))
}

// status fills the counters, or says they are unavailable.
func (h *IngestAdmin) status(ctx context.Context, v *views.IngestPage) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.timeout)
	defer cancel()
	now := h.now()
	s, err := queries.IngestStatusNow(ctx, h.db, calendar.Today(now).Start(), now.Add(-time.Hour))
	var b queries.OutboxBacklog
	if err == nil {
		b, err = queries.OutboxBacklogNow(ctx, h.db)
	}
	if err != nil {
		h.log.Error("ingestion counters", "err", err)
		v.StatusError = "The counters are unavailable: " + shortReason(err, dbPG, h.timeout)
		return
	}
	v.EventsToday, v.EventsLastHour = views.Count(s.EventsToday), views.Count(s.EventsLastHour)
	v.Held, v.DeadLetters, v.DeadToday = views.Count(s.Held), views.Count(s.DeadLetters), views.Count(s.DeadToday)
	if s.OldestHeld != nil {
		v.OldestHeld = sastTime(*s.OldestHeld)
	}
	v.Waiting = views.Count(b.TxEvents + b.Activity)
	if b.Oldest != nil {
		v.OldestWaiting = sastTime(*b.Oldest)
	}
}

// CreateToken makes a token and shows it, once.
func (h *IngestAdmin) CreateToken(c echo.Context) error {
	name := c.FormValue("name")
	token, err := h.tokens.Create(c.Request().Context(), name, actor(c))
	if err != nil {
		if errors.Is(err, ingest.ErrTokenNameTaken) {
			return h.page(c, http.StatusConflict, views.IngestPage{Error: err.Error(), NewName: name})
		}
		if ingest.CheckTokenName(name) != nil {
			return h.page(c, http.StatusBadRequest, views.IngestPage{Error: err.Error(), NewName: name})
		}
		return err
	}
	return h.page(c, http.StatusOK, views.IngestPage{Notice: "Token created.", NewToken: token, NewTokenFor: name})
}

// RevokeToken revokes a token.
func (h *IngestAdmin) RevokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return h.page(c, http.StatusNotFound, views.IngestPage{Error: ingest.ErrNoSuchToken.Error()})
	}
	if err := h.tokens.Revoke(c.Request().Context(), id, actor(c)); err != nil {
		if errors.Is(err, ingest.ErrNoSuchToken) {
			return h.page(c, http.StatusNotFound, views.IngestPage{Error: err.Error()})
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/ingest?done=revoked")
}
