package handlers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"mari/audit"
	"mari/queries"
	"mari/views"
)

// Read-only links: one published report, one named recipient, an expiry. The token is 32
// random bytes (base64url), shown once as a full URL; only its SHA-256 is stored.

const (
	defaultLinkDays   = 30
	maxLinkDays       = 365
	maxRecipientChars = 200
	tokenBytes        = 32
)

// tokenEncoding is strict: a token whose last character differs only in the unused low bits
// would otherwise decode to the same bytes and open the report.
var tokenEncoding = base64.RawURLEncoding.Strict()

// newToken returns a fresh token and its hash.
func newToken() (string, []byte, error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	token := tokenEncoding.EncodeToString(b[:])
	return token, hashToken(b[:]), nil
}

func hashToken(raw []byte) []byte {
	h := sha256.Sum256(raw)
	return h[:]
}

// parseToken returns the hash of a well-formed token; ok is false for anything else.
func parseToken(s string) ([]byte, bool) {
	if len(s) != tokenEncoding.EncodedLen(tokenBytes) {
		return nil, false
	}
	raw, err := tokenEncoding.DecodeString(s)
	if err != nil || len(raw) != tokenBytes {
		return nil, false
	}
	return hashToken(raw), true
}

func parseRecipient(s string) (string, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return s, "Enter the recipient's name: every link is made for one named person."
	case !utf8.ValidString(s):
		return s, "The recipient's name is not valid text."
	case utf8.RuneCountInString(s) > maxRecipientChars:
		return s, fmt.Sprintf("The recipient's name is %d characters long; the limit is %d.", utf8.RuneCountInString(s), maxRecipientChars)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return s, "The recipient's name may not contain line breaks or control characters."
	}
	return s, ""
}

func parseDays(s string) (int, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return defaultLinkDays, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Sprintf("The expiry %q is not a whole number of days: enter 1 to %d.", s, maxLinkDays)
	}
	if n < 1 || n > maxLinkDays {
		return 0, fmt.Sprintf("The expiry must be between 1 and %d days; %d is not.", maxLinkDays, n)
	}
	return n, ""
}

// linkURL is the full address of a token, for the one time it is shown.
func linkURL(c echo.Context, token string) string {
	return c.Scheme() + "://" + c.Request().Host + "/r/" + token
}

// publishedReport loads report :id for a link action: it must exist (400) and be published.
func (h *Reports) publishedReport(c echo.Context) (queries.Report, error) {
	id, err := reportID(c)
	if err != nil {
		return queries.Report{}, err
	}
	r, err := h.report(c.Request().Context(), id, http.StatusBadRequest)
	if err != nil {
		return r, err
	}
	if !r.Published() {
		return r, badRequest("Only a published report can be shared: publish this draft first.")
	}
	return r, nil
}

// CreateLink serves POST /reports/:id/links.
func (h *Reports) CreateLink(c echo.Context) error {
	r, err := h.publishedReport(c)
	if err != nil {
		return err
	}
	_, by, err := staff(c)
	if err != nil {
		return err
	}
	recipient, msg := parseRecipient(c.FormValue("recipient"))
	days, dmsg := 0, ""
	if msg == "" {
		days, dmsg = parseDays(c.FormValue("days"))
		msg = dmsg
	}
	if msg != "" {
		p, err := h.page(c, r.ID, nil)
		if err != nil {
			return err
		}
		p.LinkForm = views.ReportLinkForm{Recipient: recipient, Days: c.FormValue("days"), Error: msg}
		return render(c, http.StatusBadRequest, views.ReportView(p))
	}
	ctx := c.Request().Context()
	var token string
	err = pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		var id int64
		var err error
		if token, id, err = h.insertLink(ctx, tx, r, recipient, days, by); err != nil {
			return err
		}
		return audit.Record(ctx, tx, h.opts.Now(), auditEntry(c, by, audit.LinkCreated, reportTarget(r),
			fmt.Sprintf("link %d for %s, valid %d days", id, recipient, days)))
	})
	if err != nil {
		return err
	}
	return h.renderNewLink(c, r.ID, recipient, token)
}

func (h *Reports) insertLink(ctx context.Context, tx pgx.Tx, r queries.Report, recipient string, days int, by queries.Actor) (string, int64, error) {
	token, hash, err := newToken()
	if err != nil {
		return "", 0, err
	}
	now := h.opts.Now()
	id, ok, err := queries.InsertLink(ctx, tx, r.ID, recipient, hash, by, now, now.Add(time.Duration(days)*24*time.Hour))
	if err != nil {
		return "", 0, err
	}
	if !ok {
		return "", 0, badRequest("Only a published report can be shared: publish this draft first.")
	}
	return token, id, nil
}

// renderNewLink shows the report page with the new link's URL: the only time it is shown.
func (h *Reports) renderNewLink(c echo.Context, reportID int64, recipient, token string) error {
	p, err := h.page(c, reportID, nil)
	if err != nil {
		return err
	}
	p.NewLinkURL, p.NewLinkFor = linkURL(c, token), recipient
	return render(c, http.StatusOK, views.ReportView(p))
}

// linkID reads :link.
func linkID(c echo.Context) (int64, error) {
	s := c.Param("link")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("%q is not a link number.", s)
	}
	return id, nil
}

// RevokeLink serves POST /reports/:id/links/:link/revoke: the link stops working at once.
func (h *Reports) RevokeLink(c echo.Context) error {
	r, err := h.publishedReport(c)
	if err != nil {
		return err
	}
	lid, err := linkID(c)
	if err != nil {
		return err
	}
	_, by, err := staff(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		l, ok, err := queries.LinkForUpdate(ctx, tx, lid, r.ID)
		if err != nil {
			return err
		}
		if !ok {
			return badRequest("Report %d has no link %d.", r.ID, lid)
		}
		revoked, err := queries.RevokeLink(ctx, tx, l.ID, h.opts.Now(), nil)
		if err != nil || !revoked {
			return err // already revoked: nothing to do, nothing to audit
		}
		return audit.Record(ctx, tx, h.opts.Now(), auditEntry(c, by, audit.LinkRevoked, reportTarget(r),
			fmt.Sprintf("link %d for %s", l.ID, l.RecipientName)))
	})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reportHref(r.ID)+"?revoked=1")
}

// RotateLink serves POST /reports/:id/links/:link/rotate: a new link for the same recipient
// and report replaces the old one, which is revoked.
func (h *Reports) RotateLink(c echo.Context) error {
	r, err := h.publishedReport(c)
	if err != nil {
		return err
	}
	lid, err := linkID(c)
	if err != nil {
		return err
	}
	days, msg := parseDays(c.FormValue("days"))
	if msg != "" {
		return badRequest("%s", msg)
	}
	_, by, err := staff(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var token, recipient string
	err = pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		old, ok, err := queries.LinkForUpdate(ctx, tx, lid, r.ID)
		if err != nil {
			return err
		}
		if !ok {
			return badRequest("Report %d has no link %d.", r.ID, lid)
		}
		if old.RevokedAt != nil {
			return badRequest("Link %d was revoked; create a new link for %s instead.", old.ID, old.RecipientName)
		}
		recipient = old.RecipientName
		var id int64
		if token, id, err = h.insertLink(ctx, tx, r, recipient, days, by); err != nil {
			return err
		}
		if _, err := queries.RevokeLink(ctx, tx, old.ID, h.opts.Now(), &id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, h.opts.Now(), auditEntry(c, by, audit.LinkRotated, reportTarget(r),
			fmt.Sprintf("link %d for %s replaced by link %d, valid %d days", old.ID, recipient, id, days)))
	})
	if err != nil {
		return err
	}
	return h.renderNewLink(c, r.ID, recipient, token)
}
