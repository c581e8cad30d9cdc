package auth

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"mari/config"
)

// ErrBusy is returned when every password-hashing slot stayed taken for the whole wait. The
// sign-in page answers 503 with Retry-After.
var ErrBusy = errors.New("Sign-in is busy right now. Wait a few seconds, then try again.")

// HashGate bounds how many password hashes (argon2id, 64 MiB each) are computed at once, so
// the memory they take is bounded whatever number of sign-ins arrive together. Every
// computation of the service goes through it: checks of sign-in and current passwords, the
// dummy check of an unknown email, and hashes of new passwords.
type HashGate struct {
	sem      *semaphore.Weighted
	wait     time.Duration
	checks   atomic.Int64
	busy     atomic.Int64 // refused for want of a turn
	running  atomic.Int64
	peak     atomic.Int64
	capacity int
}

// NewHashGate lets at most concurrency hashes run at once; a caller waits up to wait for a
// turn. Values below 1 (or a non-positive wait) take the configuration's defaults
// (MARI_PASSWORD_HASH_CONCURRENCY, MARI_PASSWORD_HASH_WAIT): two argon2id computations at once
// hold at most 2 × 64 MiB, and a sign-in waits up to two seconds for a turn before it is told
// to come back.
func NewHashGate(concurrency int, wait time.Duration) *HashGate {
	if concurrency < 1 {
		concurrency = config.Default().PasswordHashConcurrency
	}
	if wait <= 0 {
		wait = config.Default().PasswordHashWait
	}
	return &HashGate{sem: semaphore.NewWeighted(int64(concurrency)), wait: wait, capacity: concurrency}
}

// Checks is how many password checks (VerifyPassword) have run through the gate.
func (g *HashGate) Checks() int64 { return g.checks.Load() }

// Busy is how many callers gave up waiting for a turn (ErrBusy).
func (g *HashGate) Busy() int64 { return g.busy.Load() }

// Peak is the most hashes that ever ran at once; never more than Capacity.
func (g *HashGate) Peak() int64 { return g.peak.Load() }

// Capacity is how many hashes may run at once.
func (g *HashGate) Capacity() int { return g.capacity }

// run waits for a turn and runs fn. It returns ErrBusy when no turn came within the wait, or
// ctx's error when the caller went away first.
func (g *HashGate) run(ctx context.Context, fn func()) error {
	wctx, cancel := context.WithTimeout(ctx, g.wait)
	defer cancel()
	if err := g.sem.Acquire(wctx, 1); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		g.busy.Add(1)
		return ErrBusy
	}
	defer g.sem.Release(1)
	n := g.running.Add(1)
	defer g.running.Add(-1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	fn()
	return nil
}

// verify checks password against encoded in a turn of the gate.
func (g *HashGate) verify(ctx context.Context, password, encoded string) (match bool, verr error, err error) {
	err = g.run(ctx, func() {
		g.checks.Add(1)
		match, verr = VerifyPassword(password, encoded)
	})
	return match, verr, err
}

// hash makes a new hash of password in a turn of the gate.
func (g *HashGate) hash(ctx context.Context, password string, p HashParams) (string, error) {
	var (
		out  string
		herr error
	)
	if err := g.run(ctx, func() { out, herr = HashPassword(password, p) }); err != nil {
		return "", err
	}
	return out, herr
}
