package handlers

import (
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"mari/calendar"
	"mari/queries"
)

// The transactions page's address is its filter: a period and the columns a row must match.
// The dashboards' charts link each figure to the address of exactly the rows behind it
// (drillHref), and the page reads the same address back (parseTransactionsQuery).
//
// Periods, one of:
//
//	from=YYYY-MM-DD&to=YYYY-MM-DD   SAST days, both included
//	month=YYYY-MM                   an SAST calendar month
//	hour=YYYY-MM-DDTHH              an SAST clock hour
//	minute=YYYY-MM-DDTHH:MM         an SAST clock minute (the operations per-minute chart)
//
// and bank, channel, status (COMPLETED, FAILED or PENDING), failure_reason, each "" for any;
// figure, the words of the figure that linked here; cursor, the page after the first.

// maxDrillDays is the longest period the page lists: a little over a year, the longest any
// dashboard figure spans by default, which keeps the count and sum of every row quick.
const maxDrillDays = 400

// transactionStatuses are the statuses a transaction can have, as stored.
var transactionStatuses = []string{"COMPLETED", "FAILED", "PENDING"}

// transactionChannels are the channels a transaction can come through, and their words.
var transactionChannels = map[string]string{"online": "in the app (online)", "offline_sms": "by offline SMS"}

// drillPeriod is a parsed period: its instants, its words, and the parameters that name it.
type drillPeriod struct {
	From, To time.Time // [From, To)
	Words    string    // "on 3 Nov 2026"
	Params   url.Values
	// Days is the period as inclusive SAST days (the form's from and to): the days it
	// touches for an hour or a minute.
	Days calendar.Range
}

// transactionsQuery is the page's parsed address.
type transactionsQuery struct {
	Period drillPeriod
	Filter queries.TransactionFilter
	Figure string
	Cursor *queries.TransactionCursor
	// Typed is the form's state as typed (to refill it after an error).
	Typed url.Values
}

// drillFilter is what a figure's rows must match besides their period; "" = any.
type drillFilter struct {
	Bank, Channel, Status, FailureReason string
}

// params are the filter's parameters, empty ones left out.
func (f drillFilter) params(into url.Values) {
	for k, v := range map[string]string{"bank": f.Bank, "channel": f.Channel, "status": f.Status, "failure_reason": f.FailureReason} {
		if v != "" {
			into.Set(k, v)
		}
	}
}

// maxFigureLength bounds the figure's words a link may carry.
const maxFigureLength = 160

// drillHref is the address of the transactions of period matching f, with the words of the
// figure that links there.
func drillHref(period url.Values, f drillFilter, figure string) string {
	q := url.Values{}
	for k, v := range period {
		q[k] = v
	}
	f.params(q)
	if figure != "" {
		q.Set("figure", figure)
	}
	return "/transactions?" + q.Encode()
}

// dayParams, rangeParams, monthParams and minuteParams name periods for drillHref.
func dayParams(d calendar.Date) url.Values { return rangeParams(calendar.Range{From: d, To: d}) }

func rangeParams(r calendar.Range) url.Values {
	return url.Values{"from": {r.From.String()}, "to": {r.To.String()}}
}

func monthParams(m calendar.Date) url.Values { return url.Values{"month": {m.MonthKey()}} }

func minuteParams(t time.Time) url.Values {
	return url.Values{"minute": {t.In(calendar.SAST).Format(minuteLayout)}}
}

const (
	hourLayout   = "2006-01-02T15"
	minuteLayout = "2006-01-02T15:04"
	dayWords     = "2 Jan 2006"
)

// parseTransactionsQuery reads the page's address; a badInput error is the viewer's to fix.
// today is the SAST day of now, the period of an address that names none.
func parseTransactionsQuery(q url.Values, today calendar.Date) (transactionsQuery, error) {
	out := transactionsQuery{Typed: q}
	for _, k := range []string{"from", "to", "month", "hour", "minute", "bank", "channel", "status", "failure_reason", "figure", "cursor"} {
		if len(q[k]) > 1 {
			return out, badf("%s is given %d times; give it once.", k, len(q[k]))
		}
	}
	p, err := parsePeriod(q, today)
	if err != nil {
		return out, err
	}
	out.Period = p
	f := queries.TransactionFilter{From: p.From, To: p.To}
	if f.Bank = strings.TrimSpace(q.Get("bank")); f.Bank != "" && !bankCodePattern.MatchString(f.Bank) {
		return out, badf("%q is not a bank code: use the code shown on the bank's page, such as ABSA.", truncate(f.Bank, 40))
	}
	if f.Channel = strings.TrimSpace(q.Get("channel")); f.Channel != "" {
		if _, ok := transactionChannels[f.Channel]; !ok {
			return out, badf("Unknown channel %q: choose online or offline_sms.", truncate(f.Channel, 40))
		}
	}
	if s := strings.TrimSpace(q.Get("status")); s != "" {
		f.Status = strings.ToUpper(s)
		if !contains(transactionStatuses, f.Status) {
			return out, badf("Unknown status %q: choose COMPLETED, FAILED or PENDING.", truncate(s, 40))
		}
	}
	if f.FailureReason = strings.TrimSpace(q.Get("failure_reason")); f.FailureReason != "" {
		// failure_reason is varchar(50) of machine words (insufficient_funds, bank_timeout).
		if len(f.FailureReason) > 50 || !printable(f.FailureReason) {
			return out, badf("%q is not a failure reason: use the reason as the bank reports it, such as insufficient_funds.", truncate(f.FailureReason, 40))
		}
		if f.Status != "" && f.Status != "FAILED" {
			return out, badf("Only failed payments have a failure reason: drop the status %s or the failure reason.", f.Status)
		}
	}
	out.Filter = f
	if fig := strings.TrimSpace(q.Get("figure")); fig != "" {
		if !printable(fig) {
			return out, badf("The figure's label has characters that cannot be shown.")
		}
		out.Figure = truncate(fig, maxFigureLength)
	}
	if s := q.Get("cursor"); s != "" {
		c, err := queries.DecodeTransactionCursor(s, f)
		if err != nil {
			return out, badf("This page link is not valid for these filters (it was changed, or belongs to other filters). Start again from the newest payments.")
		}
		out.Cursor = &c
	}
	return out, nil
}

// parsePeriod reads the one period of q; none is today.
func parsePeriod(q url.Values, today calendar.Date) (drillPeriod, error) {
	given := 0
	for _, k := range []string{"month", "hour", "minute"} {
		if q.Get(k) != "" {
			given++
		}
	}
	from, to := q.Get("from"), q.Get("to")
	if from != "" || to != "" {
		given++
	}
	switch {
	case given > 1:
		return drillPeriod{}, badf("Give one period: from and to, or month, or hour, or minute.")
	case given == 0:
		return daysPeriod(calendar.Range{From: today, To: today}), nil
	case q.Get("month") != "":
		m, err := calendar.ParseMonth(q.Get("month"))
		if err != nil {
			return drillPeriod{}, badf("The month %q is not a month: use the form YYYY-MM, such as %s.", truncate(q.Get("month"), 40), today.MonthKey())
		}
		p := daysPeriod(calendar.Range{From: m, To: m.MonthEnd()})
		p.Words, p.Params = "in "+m.Time().Format("January 2006"), monthParams(m)
		return p, nil
	case q.Get("hour") != "":
		return clockPeriod(q.Get("hour"), hourLayout, time.Hour, today)
	case q.Get("minute") != "":
		return clockPeriod(q.Get("minute"), minuteLayout, time.Minute, today)
	}
	if from == "" || to == "" {
		return drillPeriod{}, badf("Enter both a start date (from) and an end date (to), as YYYY-MM-DD.")
	}
	f, err := calendar.ParseDate(from)
	if err != nil {
		return drillPeriod{}, dateProblem("start date", from, today, today.MonthStart(), err)
	}
	t, err := calendar.ParseDate(to)
	if err != nil {
		return drillPeriod{}, dateProblem("end date", to, today, today, err)
	}
	r := calendar.Range{From: f, To: t}
	switch {
	case t.Before(f):
		return drillPeriod{}, badf("The range is reversed: the end date %s is before the start date %s.", t, f)
	case r.Days() > maxDrillDays:
		return drillPeriod{}, badf("The range is %d days long; list at most %d days at a time.", r.Days(), maxDrillDays)
	}
	return daysPeriod(r), nil
}

// daysPeriod is the SAST days of r.
func daysPeriod(r calendar.Range) drillPeriod {
	p := drillPeriod{From: r.From.Start(), To: r.To.End(), Params: rangeParams(r), Days: r}
	switch {
	case r.From.Equal(r.To):
		p.Words = "on " + r.From.Time().Format(dayWords)
	case r.From.Equal(r.From.MonthStart()) && r.To.Equal(r.From.MonthEnd()):
		p.Words = "in " + r.From.Time().Format("January 2006")
	default:
		p.Words = "from " + r.From.Time().Format(dayWords) + " to " + r.To.Time().Format(dayWords)
	}
	return p
}

// clockPeriod reads an SAST hour or minute written in layout.
func clockPeriod(s, layout string, length time.Duration, today calendar.Date) (drillPeriod, error) {
	what, article, example := "hour", "an", today.Time().Add(9*time.Hour).Format(layout)
	if length == time.Minute {
		what, article = "minute", "a"
	}
	at, err := time.ParseInLocation(layout, s, calendar.SAST)
	if err != nil {
		return drillPeriod{}, badf("The %s %q is not %s %s: use the form %s, such as %s (SAST).", what, truncate(s, 40), article, what,
			strings.NewReplacer("2006", "YYYY", "01", "MM", "02", "DD", "15", "HH", "04", "MM").Replace(layout), example)
	}
	if err := calendar.CheckInWindow(at); err != nil {
		if errors.Is(err, calendar.ErrOutsideWindow) {
			return drillPeriod{}, badf("The %s %s is outside the dates Mari BI works with (%s to %s).", what, s, calendar.EarliestDate, calendar.LatestDate)
		}
		return drillPeriod{}, badInput{err.Error()}
	}
	end := at.Add(length)
	day := calendar.DateOf(at)
	p := drillPeriod{From: at, To: end, Days: calendar.Range{From: day, To: day}}
	clock := at.In(calendar.SAST).Format("15:04") + "–" + end.In(calendar.SAST).Format("15:04") + " SAST"
	if length == time.Hour {
		p.Words, p.Params = "between "+clock+" on "+day.Time().Format(dayWords), url.Values{"hour": {at.Format(hourLayout)}}
	} else {
		p.Words, p.Params = "in the minute "+clock+" on "+day.Time().Format(dayWords), url.Values{"minute": {at.Format(minuteLayout)}}
	}
	return p, nil
}

// words is the filter in words: "Completed payments through ABSA on 3 Nov 2026".
func (q transactionsQuery) words() string {
	f := q.Filter
	var b strings.Builder
	switch f.Status {
	case "COMPLETED":
		b.WriteString("Completed payments")
	case "FAILED":
		b.WriteString("Failed payments")
	case "PENDING":
		b.WriteString("Payments still pending")
	default:
		if f.FailureReason != "" {
			b.WriteString("Failed payments")
		} else {
			b.WriteString("All payments")
		}
	}
	if f.FailureReason != "" {
		b.WriteString(" (" + f.FailureReason + ")")
	}
	if f.Bank != "" {
		b.WriteString(" through " + f.Bank)
	}
	if f.Channel != "" {
		b.WriteString(" " + transactionChannels[f.Channel])
	}
	b.WriteString(" initiated " + q.Period.Words)
	return b.String()
}

// params are the address of the query's first page: the period and filters as parsed
// (canonical, so a cursor made for them reads back), and the figure.
func (q transactionsQuery) params() url.Values {
	v := url.Values{}
	for k, vs := range q.Period.Params {
		v[k] = vs
	}
	drillFilter{Bank: q.Filter.Bank, Channel: q.Filter.Channel, Status: q.Filter.Status, FailureReason: q.Filter.FailureReason}.params(v)
	if q.Figure != "" {
		v.Set("figure", q.Figure)
	}
	return v
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
