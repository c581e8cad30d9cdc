package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"mari/audit"
	"mari/auth"
	"mari/bearer"
	"mari/queries"
)

// TokenPrefix starts every ingestion token, so one pasted in the wrong place is recognisable
// (and findable by secret scanners).
const TokenPrefix = "mari_ingest_"

// Token errors people see.
var (
	ErrTokenNameTaken = errors.New("a live token with that name already exists; revoke it or choose another name")
	ErrNoSuchToken    = errors.New("there is no live token with that id")
)

// Tokens makes, checks and revokes the bearer tokens of POST /ingest/v1/{topic}. A token
// lets its holder send events and nothing else: it is not an account and opens no page.
type Tokens struct {
	PG  queries.DB
	Now func() time.Time
}

// createdBy is how the token list names who made a token.
func createdBy(a auth.Actor) string {
	if a.Email == "" {
		return "command line"
	}
	return a.Email
}

// CheckTokenName returns why name cannot name a token, or nil.
func CheckTokenName(name string) error {
	switch n := utf8.RuneCountInString(strings.TrimSpace(name)); {
	case n == 0:
		return errors.New("name the token after the system that will use it (e.g. mobile-backend)")
	case n > 100:
		return fmt.Errorf("the name is %d characters; at most 100", n)
	case strings.ContainsFunc(name, unicode.IsControl):
		return errors.New("the name may not contain control characters")
	}
	return nil
}

// Create makes a token named name and returns it: the only time it is ever shown.
func (t Tokens) Create(ctx context.Context, name string, by auth.Actor) (string, error) {
	return t.create(ctx, name, by, false)
}

// Replace revokes the live token named name, if there is one, and makes its successor, in one
// transaction: a rotation (the demo simulator gets a fresh token at each `make run`).
func (t Tokens) Replace(ctx context.Context, name string, by auth.Actor) (string, error) {
	return t.create(ctx, name, by, true)
}

func (t Tokens) create(ctx context.Context, name string, by auth.Actor, replace bool) (string, error) {
	name = strings.TrimSpace(name)
	if err := CheckTokenName(name); err != nil {
		return "", err
	}
	token, err := bearer.New(TokenPrefix)
	if err != nil {
		return "", err
	}
	now := t.Now()
	tx, err := t.PG.Begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if replace {
		old, found, err := queries.IngestTokenRevokeByName(ctx, tx, name, now)
		if err != nil {
			return "", err
		}
		if found {
			if err := audit.Record(ctx, tx, now, audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: audit.IngestTokenRevoked,
				Target: fmt.Sprintf("ingest token %d", old), Detail: "name=" + name + "; replaced", IP: by.IP}); err != nil {
				return "", err
			}
		}
	}
	id, ok, err := queries.IngestTokenInsert(ctx, tx, name, bearer.Hash(token), now, createdBy(by))
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrTokenNameTaken
	}
	if err := audit.Record(ctx, tx, now, audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: audit.IngestTokenCreated,
		Target: fmt.Sprintf("ingest token %d", id), Detail: "name=" + name, IP: by.IP}); err != nil {
		return "", err
	}
	return token, tx.Commit(ctx)
}

// Revoke ends a token at once: its next request gets 401.
func (t Tokens) Revoke(ctx context.Context, id int64, by auth.Actor) error {
	now := t.Now()
	tx, err := t.PG.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	name, ok, err := queries.IngestTokenRevoke(ctx, tx, id, now)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoSuchToken
	}
	if err := audit.Record(ctx, tx, now, audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: audit.IngestTokenRevoked,
		Target: fmt.Sprintf("ingest token %d", id), Detail: "name=" + name, IP: by.IP}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Authenticate finds the live token a request's bearer value is. ok is false for anything
// else, including a malformed value (checked before any query).
func (t Tokens) Authenticate(ctx context.Context, token string) (id int64, name string, ok bool, err error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) != bearer.Length(TokenPrefix) {
		return 0, "", false, nil
	}
	return queries.IngestTokenByHash(ctx, t.PG, bearer.Hash(token))
}
