// Package alerts watches the business and the pipeline and tells ops before the customers do.
//
// A rule is made from a template (no SQL): the success rate below a percentage, no events, a
// bank's processing-time p95 above its SLA, dead letters above a count, a failed rollup. Every
// MARI_ALERT_EVALUATE_EVERY one instance of the app (the holder of a lease) measures each rule
// from PostgreSQL and moves it through its states: ok → pending → firing → resolved → ok. Each
// change is recorded in alert_history and, in the same transaction, the notifications it calls
// for are queued in an outbox (alert_deliveries) that a deliverer sends to webhooks and email,
// retrying with back-off, so that a restart between a change and its notification loses
// nothing, and a failing receiver never holds up an evaluation.
package alerts

import (
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"mari/partnerships"
)

// Template is the kind of a rule.
type Template string

// The templates.
const (
	SuccessRate   Template = "success_rate"
	NoEvents      Template = "no_events"
	BankP95       Template = "bank_p95"
	DeadLetters   Template = "dead_letters"
	RollupFailure Template = "rollup_failure"
)

// TemplateInfo describes a template to the people making rules from it.
type TemplateInfo struct {
	Template Template
	Label    string // what the rule watches, as a heading
	Explain  string // how it decides, in a sentence or two
	Uses     Uses   // the fields it takes
	Defaults Form   // the values its form starts with
}

// Uses says which fields of a rule a template takes.
type Uses struct {
	Bank         bool // a bank may be chosen
	BankRequired bool
	Threshold    bool
	Window       bool
	MinAttempts  bool
}

// Templates are the templates, in the order the page offers them.
var Templates = []TemplateInfo{
	{Template: SuccessRate, Label: "Success rate below a threshold",
		Explain: "Of the payments that reached their final state in the last minutes (completed + failed), the share that completed, " +
			"overall or for one bank. With fewer payments than the minimum the rule has not enough data and does not fire, " +
			"so a quiet hour cannot set it off.",
		Uses:     Uses{Bank: true, Threshold: true, Window: true, MinAttempts: true},
		Defaults: Form{Threshold: "90", Window: "10", For: "2", MinAttempts: "20"}},
	{Template: NoEvents, Label: "No events (the stream has stalled)",
		Explain:  "Fires when ingestion has received no event of any topic in the last minutes; no data at all counts as firing.",
		Uses:     Uses{Window: true},
		Defaults: Form{Window: "5", For: "0"}},
	{Template: BankP95, Label: "A bank's processing time above its SLA",
		Explain: "The exact p95 (nearest rank) of the processing times of the bank's payments that reached their final state in the " +
			"last minutes, against the bank's contracted SLA (p95 in milliseconds, on its partnership). Below the minimum number of " +
			"payments the rule has not enough data.",
		Uses:     Uses{Bank: true, BankRequired: true, Window: true, MinAttempts: true},
		Defaults: Form{Window: "15", For: "5", MinAttempts: "20"}},
	{Template: DeadLetters, Label: "Dead letters above a count",
		Explain:  "Events refused by ingestion (listed on the Ingestion page) first seen in the last minutes, above the count.",
		Uses:     Uses{Threshold: true, Window: true},
		Defaults: Form{Threshold: "0", Window: "15", For: "0"}},
	{Template: RollupFailure, Label: "A rollup failed",
		Explain:  "Fires while the newest run of any rollup job failed (the dashboards' daily figures are then stale).",
		Defaults: Form{For: "0"}},
}

// InfoOf is template t's description; ok is false for an unknown template.
func InfoOf(t Template) (TemplateInfo, bool) {
	for _, i := range Templates {
		if i.Template == t {
			return i, true
		}
	}
	return TemplateInfo{}, false
}

// Limits of a rule.
const (
	MaxNameChars   = 100
	MaxWindow      = 1440 // minutes: a day
	MaxFor         = 1440
	MaxMinAttempts = 1_000_000
	MaxDeadLetters = 1_000_000
	MaxEmails      = 10
	MaxURLChars    = 2000
)

// Form is a rule as typed: every field as text.
type Form struct {
	Name, Template, Bank             string
	Threshold, Window, For           string
	MinAttempts, WebhookURL, EmailTo string
}

// Input is a rule as checked: what is stored.
type Input struct {
	Name          string
	Template      Template
	Bank          string          // "" for none (every bank)
	Threshold     decimal.Decimal // a percentage (success rate) or a count (dead letters); zero when unused
	WindowMinutes int             // 0 for rollup_failure
	ForMinutes    int
	MinAttempts   int // 0 when unused
	WebhookURL    string
	EmailTo       []string
}

// Channels says which notification channels the server can use.
type Channels struct {
	Webhook bool // MARI_ALERT_WEBHOOK_SECRET is set
	Email   bool // an SMTP relay is configured
}

// The messages of the fields, by the form's field names.
var (
	MsgName          = fmt.Sprintf("Name the rule: 1 to %d characters, no control characters.", MaxNameChars)
	MsgTemplate      = "Choose one of the templates."
	MsgBankRequired  = "Choose the bank whose processing time to watch."
	MsgBank          = "Choose a bank from the list."
	MsgPercent       = "Enter a percentage above 0 and at most 100, with at most two decimals (such as 99.5)."
	MsgDeadLetters   = fmt.Sprintf("Enter a whole number of dead letters from 0 to %d.", MaxDeadLetters)
	MsgWindow        = fmt.Sprintf("Enter the window as a whole number of minutes from 1 to %d.", MaxWindow)
	MsgFor           = fmt.Sprintf("Enter how long the condition must hold as a whole number of minutes from 0 to %d.", MaxFor)
	MsgMinAttempts   = fmt.Sprintf("Enter the minimum number of payments as a whole number from 1 to %d.", MaxMinAttempts)
	MsgWebhookURL    = "Enter the webhook's address as an http:// or https:// URL (without a user name or password), or leave it empty."
	MsgWebhookSecret = "Webhooks are signed with MARI_ALERT_WEBHOOK_SECRET, which is not set on this server: ask whoever runs Mari BI to set it, or leave the webhook empty."
	MsgEmail         = fmt.Sprintf("Enter up to %d email addresses separated by commas (such as ops@mari.example), or leave it empty.", MaxEmails)
	MsgEmailRelay    = "Email goes through an SMTP relay (MARI_SMTP_ADDR), which is not set on this server: ask whoever runs Mari BI to set it, or leave the email empty."
)

// Parse reads a typed rule: the rule to store, and what is wrong with it by field (empty when
// nothing is). Fields a template does not take are ignored (the page shows one form per
// template, but a hand-made request may carry them). Whether a chosen bank exists is the
// service's check (it reads the database).
func Parse(f Form, ch Channels) (Input, map[string]string) {
	bad := map[string]string{}
	in := Input{Name: strings.TrimSpace(f.Name), Template: Template(strings.TrimSpace(f.Template)),
		WebhookURL: strings.TrimSpace(f.WebhookURL)}
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > MaxNameChars || !utf8.ValidString(in.Name) || strings.ContainsFunc(in.Name, unicode.IsControl) {
		bad["name"] = MsgName
	}
	info, known := InfoOf(in.Template)
	if !known {
		bad["template"] = MsgTemplate
		return in, bad
	}
	uses := info.Uses
	if uses.Bank {
		in.Bank = strings.TrimSpace(f.Bank)
		switch {
		case in.Bank == "" && uses.BankRequired:
			bad["bank"] = MsgBankRequired
		case in.Bank != "" && !partnerships.CodePattern.MatchString(in.Bank):
			bad["bank"] = MsgBank
		}
	}
	if uses.Threshold {
		switch in.Template {
		case SuccessRate:
			d, ok := parseDecimal(f.Threshold)
			if !ok || !d.IsPositive() || d.GreaterThan(decimal.NewFromInt(100)) || !d.Equal(d.Round(2)) {
				bad["threshold"] = MsgPercent
			}
			in.Threshold = d
		case DeadLetters:
			n, ok := wholeNumber(f.Threshold, 0, MaxDeadLetters)
			if !ok {
				bad["threshold"] = MsgDeadLetters
			}
			in.Threshold = decimal.NewFromInt(int64(n))
		}
	}
	if uses.Window {
		n, ok := wholeNumber(f.Window, 1, MaxWindow)
		if !ok {
			bad["window"] = MsgWindow
		}
		in.WindowMinutes = n
	}
	n, ok := wholeNumber(f.For, 0, MaxFor)
	if !ok {
		bad["for"] = MsgFor
	}
	in.ForMinutes = n
	if uses.MinAttempts {
		n, ok := wholeNumber(f.MinAttempts, 1, MaxMinAttempts)
		if !ok {
			bad["min_attempts"] = MsgMinAttempts
		}
		in.MinAttempts = n
	}
	if in.WebhookURL != "" {
		switch {
		case !validWebhookURL(in.WebhookURL):
			bad["webhook_url"] = MsgWebhookURL
		case !ch.Webhook:
			bad["webhook_url"] = MsgWebhookSecret
		}
	}
	if s := strings.TrimSpace(f.EmailTo); s != "" {
		emails, ok := parseEmails(s)
		switch {
		case !ok:
			bad["email_to"] = MsgEmail
		case !ch.Email:
			bad["email_to"] = MsgEmailRelay
		}
		in.EmailTo = emails
	}
	return in, bad
}

func parseDecimal(s string) (decimal.Decimal, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	// Short plain numbers only: no exponents to expand, nothing a percentage needs.
	if s == "" || len(s) > 12 || strings.ContainsAny(s, "eE") {
		return decimal.Zero, false
	}
	d, err := decimal.NewFromString(s)
	return d, err == nil
}

func wholeNumber(s string, least, most int) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < least || n > most {
		return 0, false
	}
	return n, true
}

func validWebhookURL(s string) bool {
	if len(s) > MaxURLChars || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil && u.Hostname() != ""
}

// parseEmails reads addresses separated by commas, semicolons or spaces; each must be a plain
// address (no display name, no line breaks: they go into mail headers).
func parseEmails(s string) ([]string, bool) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
	if len(fields) == 0 || len(fields) > MaxEmails {
		return nil, false
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range fields {
		a, err := mail.ParseAddress(f)
		if err != nil || a.Name != "" || a.Address != f || len(f) > 254 || strings.ContainsFunc(f, unicode.IsControl) {
			return nil, false
		}
		if k := strings.ToLower(f); !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out, true
}

// Rule is a stored rule and its state.
type Rule struct {
	ID        int64
	Input               // what the rule is
	CreatedAt time.Time // when it was made, and by whom
	CreatedBy string
	State     State
	// Silence is the silence in force, when there is one (filled by the listing only).
	Silence *Silence
}

// For is how long the condition must hold before the rule fires (and be false before it
// resolves).
func (r Rule) For() time.Duration { return time.Duration(r.ForMinutes) * time.Minute }

// Window is how far back the condition looks.
func (r Rule) Window() time.Duration { return time.Duration(r.WindowMinutes) * time.Minute }

// Describe is the rule's condition in words: "success rate below 90% over the last 10 min,
// all banks (at least 20 payments), for 2 min".
func Describe(in Input) string {
	window := fmt.Sprintf("over the last %s", minutes(in.WindowMinutes))
	var s string
	switch in.Template {
	case SuccessRate:
		who := "all banks"
		if in.Bank != "" {
			who = in.Bank
		}
		s = fmt.Sprintf("success rate of %s below %s%% %s (at least %s)", who, in.Threshold.String(), window, payments(in.MinAttempts))
	case NoEvents:
		s = "no events received " + window
	case BankP95:
		s = fmt.Sprintf("%s's processing-time p95 above its SLA %s (at least %s)", in.Bank, window, payments(in.MinAttempts))
	case DeadLetters:
		s = fmt.Sprintf("more than %s dead letters %s", in.Threshold.String(), window)
	case RollupFailure:
		s = "the newest run of a rollup job failed"
	default:
		s = string(in.Template)
	}
	if in.ForMinutes > 0 {
		s += ", for " + minutes(in.ForMinutes)
	}
	return s
}

// payments is "1 payment", "20 payments".
func payments(n int) string {
	if n == 1 {
		return "1 payment"
	}
	return strconv.Itoa(n) + " payments"
}

// minutes is a whole number of minutes as people read it: "10 min", "2 h", "1 h 30 min".
func minutes(m int) string {
	switch {
	case m >= 60 && m%60 == 0:
		return strconv.Itoa(m/60) + " h"
	case m > 60:
		return strconv.Itoa(m/60) + " h " + strconv.Itoa(m%60) + " min"
	}
	return strconv.Itoa(m) + " min"
}
