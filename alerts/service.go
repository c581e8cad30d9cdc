package alerts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mari/audit"
	"mari/auth"
	"mari/problems"
	"mari/queries"
)

// InputError refuses a change with something wrong in it: Fields says what, by form field.
type InputError struct{ Fields map[string]string }

func (e InputError) Error() string { return problems.Join(e.Fields) }

// NotFoundError is a rule (or a silence of it) that does not exist, or no longer.
type NotFoundError struct{ What string }

func (e NotFoundError) Error() string { return "there is no " + e.What }

// Service makes the changes people make to rules and silences: each one transaction in the
// caller's context, holding the change and its audit entry.
type Service struct {
	DB       queries.DB
	Now      func() time.Time // nil: time.Now
	Channels Channels         // which channels this server can send through
	BaseURL  string           // for the links in notifications
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Target is how the audit log names a rule.
func Target(id int64) string { return "alert rule " + strconv.FormatInt(id, 10) }

// summary is every field of a rule, for the audit log.
func summary(in Input) string {
	fields := []audit.Field{{"name", strconv.Quote(in.Name)}, {"template", string(in.Template)}, {"condition", Describe(in)}}
	if in.WebhookURL != "" {
		fields = append(fields, audit.Field{"webhook", in.WebhookURL})
	}
	if len(in.EmailTo) > 0 {
		fields = append(fields, audit.Field{"email", strings.Join(in.EmailTo, ", ")})
	}
	return audit.Summary(fields)
}

func record(ctx context.Context, tx pgx.Tx, at time.Time, by auth.Actor, action string, id int64, detail string) error {
	return audit.Record(ctx, tx, at, audit.Entry{ActorID: by.ID, ActorEmail: by.Email, Action: action,
		Target: Target(id), Detail: detail, IP: by.IP})
}

// createdBy names who made something, as the page shows it.
func createdBy(by auth.Actor) string {
	if by.Email == "" {
		return "command line"
	}
	return by.Email
}

// Create checks and stores a new rule (state ok) with its audit entry, and returns its id.
func (s *Service) Create(ctx context.Context, by auth.Actor, f Form) (int64, error) {
	in, bad := Parse(f, s.Channels)
	if len(bad) > 0 {
		return 0, InputError{bad}
	}
	now := s.now()
	var id int64
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		var bank, threshold, window, minAttempts any
		info, _ := InfoOf(in.Template)
		if in.Bank != "" {
			var exists bool
			if err := tx.QueryRow(ctx, queries.SQL("pg/alert_bank_exists"), in.Bank).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return InputError{map[string]string{"bank": "There is no bank " + strconv.Quote(in.Bank) + ": " + MsgBank}}
			}
			bank = in.Bank
		}
		if info.Uses.Threshold {
			threshold = in.Threshold
		}
		if info.Uses.Window {
			window = in.WindowMinutes
		}
		if info.Uses.MinAttempts {
			minAttempts = in.MinAttempts
		} else {
			minAttempts = 0
		}
		err := tx.QueryRow(ctx, queries.SQL("pg/alert_rule_insert"), in.Name, string(in.Template), bank, threshold, window,
			in.ForMinutes, minAttempts, in.WebhookURL, strings.Join(in.EmailTo, ","), now, createdBy(by)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return InputError{map[string]string{"name": "A rule named " + strconv.Quote(in.Name) + " already exists; choose another name."}}
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, now, by, audit.AlertRuleCreated, id, summary(in))
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// Delete deletes rule id with its audit entry. A firing its channels were told of is resolved
// to them (unless the rule is silenced), so no receiver keeps an alert open for a rule that no
// longer exists.
func (s *Service) Delete(ctx context.Context, by auth.Actor, id int64) error {
	now := s.now()
	return pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		r, found, err := ruleForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !found {
			return NotFoundError{"alert rule " + strconv.FormatInt(id, 10)}
		}
		quiet, err := silenced(ctx, tx, id, now)
		if err != nil {
			return err
		}
		if r.State.Announced && !quiet {
			st := r.State
			st.State, st.ResolvedAt, st.Announced = StateResolved, &now, false
			st.LastDetail = "the rule was deleted by " + createdBy(by)
			if err := enqueue(ctx, tx, r, notification(r, AnnounceResolved.String(), st, now, s.BaseURL), now); err != nil {
				return err
			}
			if err := saveState(ctx, tx, id, st); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, queries.SQL("pg/alert_rule_delete"), id, now); err != nil {
			return err
		}
		return record(ctx, tx, now, by, audit.AlertRuleDeleted, id, "name="+strconv.Quote(r.Name)+"; state="+r.State.State)
	})
}

// SilenceDurations are the lengths a silence may have, as the form offers them.
var SilenceDurations = []struct {
	Value string
	Label string
	D     time.Duration
}{
	{"30m", "30 minutes", 30 * time.Minute},
	{"1h", "1 hour", time.Hour},
	{"4h", "4 hours", 4 * time.Hour},
	{"12h", "12 hours", 12 * time.Hour},
	{"24h", "1 day", 24 * time.Hour},
	{"72h", "3 days", 72 * time.Hour},
	{"168h", "1 week", 168 * time.Hour},
}

// MaxReasonChars bounds a silence's reason.
const MaxReasonChars = 500

// Messages of the silence form.
var (
	MsgReason   = fmt.Sprintf("Say why the rule is silenced: 1 to %d characters.", MaxReasonChars)
	MsgDuration = "Choose how long the silence lasts from the list."
)

// Silence silences rule id from now for the duration named by duration (a SilenceDurations
// value), for reason, with its audit entry; it returns the silence's id.
func (s *Service) Silence(ctx context.Context, by auth.Actor, id int64, duration, reason string) (int64, error) {
	reason = strings.TrimSpace(reason)
	bad := map[string]string{}
	if n := utf8.RuneCountInString(reason); n < 1 || n > MaxReasonChars || !utf8.ValidString(reason) ||
		strings.ContainsFunc(reason, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		bad["reason"] = MsgReason
	}
	var length time.Duration
	for _, d := range SilenceDurations {
		if d.Value == duration {
			length = d.D
		}
	}
	if length == 0 {
		bad["duration"] = MsgDuration
	}
	now := s.now()
	var sid int64
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		r, found, err := ruleForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !found {
			return NotFoundError{"alert rule " + strconv.FormatInt(id, 10)}
		}
		if len(bad) > 0 { // after the 404: a rule that does not exist is the first thing to say
			return InputError{bad}
		}
		until := now.Add(length)
		if err := tx.QueryRow(ctx, queries.SQL("pg/alert_silence_insert"), id, reason, now, until, createdBy(by)).Scan(&sid); err != nil {
			return err
		}
		return record(ctx, tx, now, by, audit.AlertSilenced, id, fmt.Sprintf("name=%s; silence %d until %s; reason=%s",
			strconv.Quote(r.Name), sid, sast(until), strconv.Quote(reason)))
	})
	if err != nil {
		return 0, err
	}
	return sid, nil
}

// EndSilence ends silence sid of rule id now, before its expiry, with its audit entry.
func (s *Service) EndSilence(ctx context.Context, by auth.Actor, id, sid int64) error {
	now := s.now()
	return pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		var reason string
		err := tx.QueryRow(ctx, queries.SQL("pg/alert_silence_end"), sid, id, now, createdBy(by)).Scan(&reason)
		if errors.Is(err, pgx.ErrNoRows) {
			return NotFoundError{fmt.Sprintf("silence %d in force on alert rule %d", sid, id)}
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, now, by, audit.AlertSilenceEnded, id, fmt.Sprintf("silence %d ended; reason was %s", sid, strconv.Quote(reason)))
	})
}

// MsgNoChannels refuses a test of a rule that has nowhere to send it.
const MsgNoChannels = "This rule has no webhook and no email, so there is nothing to test: it shows on this page and on the operations banner only."

// SendTest queues a test notification through every channel of rule id (through the outbox,
// as real ones go), with its audit entry, and returns how many were queued.
func (s *Service) SendTest(ctx context.Context, by auth.Actor, id int64) (int, error) {
	now := s.now()
	n := 0
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		r, found, err := ruleForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !found {
			return NotFoundError{"alert rule " + strconv.FormatInt(id, 10)}
		}
		if n = channels(r); n == 0 {
			return InputError{map[string]string{"test": MsgNoChannels}}
		}
		st := r.State
		st.LastDetail = "test requested by " + createdBy(by)
		if err := enqueue(ctx, tx, r, notification(r, "test", st, now, s.BaseURL), now); err != nil {
			return err
		}
		return record(ctx, tx, now, by, audit.AlertTestRequested, id, "name="+strconv.Quote(r.Name)+"; channels="+channelNames(r))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func channelNames(r Rule) string {
	var out []string
	if r.WebhookURL != "" {
		out = append(out, "webhook "+r.WebhookURL)
	}
	if len(r.EmailTo) > 0 {
		out = append(out, "email "+strings.Join(r.EmailTo, ", "))
	}
	return strings.Join(out, "; ")
}
