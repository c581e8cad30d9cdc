package alerts

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mari/queries"
)

// SignatureHeader carries the webhook body's signature: "sha256=" and the hex HMAC-SHA256 of the
// body under MARI_ALERT_WEBHOOK_SECRET. A receiver recomputes it over the raw body it read and
// compares in constant time (Verify).
const SignatureHeader = "X-Mari-Signature"

// Sign is the signature header's value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is body's signature under secret.
func Verify(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(header), []byte(Sign(secret, body)))
}

// Deliverer sends the queued notifications: webhooks and email. Several instances may run one
// each: a deliverer claims a few due notifications at a time for ClaimFor, so the others skip
// them, and one that stopped mid-way has its claims taken over when they end. A notification
// whose receiver refuses it or does not answer is tried again after BaseDelay, doubling up to
// MaxDelay, until GiveUpAfter from when it was queued; then it is marked failed. Each attempt
// is recorded on its row, which the alerts page shows.
type Deliverer struct {
	PG  queries.DB
	Log *slog.Logger
	Now func() time.Time
	// WebhookSecret signs the webhooks (MARI_ALERT_WEBHOOK_SECRET); without it a webhook fails
	// (and is retried, in case the server is restarted with one).
	WebhookSecret string
	Mail          Mailer // nil: no relay, an email fails the same way
	HTTP          *http.Client

	BaseDelay, MaxDelay, GiveUpAfter time.Duration
	ClaimFor                         time.Duration
	Batch                            int
	Idle                             time.Duration // how often Run looks without being woken

	wake chan struct{}
}

// NewDeliverer returns a deliverer with the defaults: 10 s doubling to 10 min, giving up after
// a day; webhooks have 10 s to answer and are not followed through redirects.
func NewDeliverer(pg queries.DB, secret string, mail Mailer, log *slog.Logger) *Deliverer {
	if log == nil {
		log = slog.Default()
	}
	client := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Deliverer{PG: pg, Log: log, Now: time.Now, WebhookSecret: secret, Mail: mail, HTTP: client,
		BaseDelay: 10 * time.Second, MaxDelay: 10 * time.Minute, GiveUpAfter: 24 * time.Hour,
		ClaimFor: 2 * time.Minute, Batch: 20, Idle: 2 * time.Second, wake: make(chan struct{}, 1)}
}

// Wake asks Run to look at the outbox now.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run sends due notifications until ctx ends: when woken, and every Idle.
func (d *Deliverer) Run(ctx context.Context) {
	failing := false
	for {
		_, err := d.DeliverDue(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !failing:
			d.Log.Error("alerts: reading the notifications to send failed; retrying", "err", err)
			failing = true
		case err == nil && failing:
			d.Log.Info("alerts: sending notifications again")
			failing = false
		}
		timer := time.NewTimer(d.Idle)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-d.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// claimed is a notification claimed for sending.
type claimed struct {
	Delivery
	attempts int
}

// DeliverDue sends every notification due now, a batch at a time, and reports how many were
// accepted. A receiver's failure is recorded on its notification, not returned: the error is
// the database's.
func (d *Deliverer) DeliverDue(ctx context.Context) (sent int, err error) {
	for {
		batch, err := d.claim(ctx)
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		for _, c := range batch {
			ok, err := d.attempt(ctx, c)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(batch) < d.Batch {
			return sent, nil
		}
	}
}

func (d *Deliverer) claim(ctx context.Context) ([]claimed, error) {
	rows, err := d.PG.Query(ctx, queries.SQL("pg/alert_deliveries_claim"), d.Now(), d.ClaimFor.Milliseconds(), d.Batch)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (claimed, error) {
		var c claimed
		err := row.Scan(&c.ID, &c.RuleID, &c.Kind, &c.Channel, &c.Target, &c.Subject, &c.Body, &c.CreatedAt, &c.attempts)
		return c, err
	})
	slices.SortFunc(out, func(a, b claimed) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

// attempt sends one notification and records the outcome.
func (d *Deliverer) attempt(ctx context.Context, c claimed) (bool, error) {
	sendCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	sendErr := d.send(sendCtx, c.Delivery)
	cancel()
	if ctx.Err() != nil {
		return false, ctx.Err() // shutting down: the claim ends and another attempt follows
	}
	now := d.Now()
	if sendErr == nil {
		_, err := d.PG.Exec(ctx, queries.SQL("pg/alert_delivery_delivered"), c.ID, now)
		return err == nil, err
	}
	// What a receiver answered is shown on the page: valid text only (PostgreSQL's text holds
	// neither NUL nor invalid UTF-8, and a receiver may send either).
	msg := clip(strings.ToValidUTF8(strings.ReplaceAll(sendErr.Error(), "\x00", ""), "?"), 500)
	if !now.Before(c.CreatedAt.Add(d.GiveUpAfter)) {
		d.Log.Warn("alerts: gave up a notification", "id", c.ID, "channel", c.Channel, "attempts", c.attempts+1, "err", msg)
		_, err := d.PG.Exec(ctx, queries.SQL("pg/alert_delivery_give_up"), c.ID, now, msg)
		return false, err
	}
	next := now.Add(d.backoff(c.attempts + 1))
	_, err := d.PG.Exec(ctx, queries.SQL("pg/alert_delivery_retry"), c.ID, now, msg, next)
	return false, err
}

// backoff is the wait after the n-th failed attempt: BaseDelay, doubling, at most MaxDelay.
func (d *Deliverer) backoff(n int) time.Duration {
	wait := d.BaseDelay
	for i := 1; i < n && wait < d.MaxDelay; i++ {
		wait *= 2
	}
	return min(wait, d.MaxDelay)
}

func (d *Deliverer) send(ctx context.Context, n Delivery) error {
	switch n.Channel {
	case "webhook":
		return d.postWebhook(ctx, n)
	case "email":
		if d.Mail == nil {
			return errors.New("no SMTP relay is configured (MARI_SMTP_ADDR)")
		}
		return d.Mail.Send(ctx, strings.Split(n.Target, ","), n.Subject, n.Body)
	}
	return fmt.Errorf("unknown channel %q", n.Channel)
}

func (d *Deliverer) postWebhook(ctx context.Context, n Delivery) error {
	if d.WebhookSecret == "" {
		return errors.New("MARI_ALERT_WEBHOOK_SECRET is not set, so the webhook cannot be signed")
	}
	body := []byte(n.Body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.Target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Mari-BI-alerts")
	req.Header.Set(SignatureHeader, Sign(d.WebhookSecret, body))
	res, err := d.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		s := strings.TrimSpace(string(snippet))
		if s != "" {
			return fmt.Errorf("the webhook answered %s: %s", res.Status, s)
		}
		return fmt.Errorf("the webhook answered %s", res.Status)
	}
	return nil
}
