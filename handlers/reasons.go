package handlers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"mari/calendar"
)

// shortReason says why a panel is unavailable in a few words, without internals.
func shortReason(err error, db string, timeout time.Duration) string {
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s did not answer within %s", db, timeout)
	case errors.Is(err, context.Canceled):
		return "request cancelled"
	case errors.As(err, &connErr), errors.As(err, &netErr):
		return db + " is unreachable"
	default:
		return db + " query failed (details in the server log)"
	}
}

const (
	dbPG = "PostgreSQL"
	dbCH = "ClickHouse"
)

// rollupAsOf says when a rollup last finished (at; ok false when it never has), for a page's
// "figures as of" line; never says what to show before its first run.
func rollupAsOf(at time.Time, ok bool, now time.Time, never string) string {
	if !ok {
		return never
	}
	at = at.In(calendar.SAST)
	return "figures as of " + at.Format("2 Jan 15:04") + " SAST (" + ago(now.Sub(at)) + ")"
}

// ago says how long ago, in the largest unit that fits.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min ago", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
	}
}
