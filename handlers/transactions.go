package handlers

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/calendar"
	"mari/queries"
	"mari/views"
)

// TransactionsOptions configure the transactions page.
type TransactionsOptions struct {
	Timeout time.Duration    // the time limit of the page's reads
	Now     func() time.Time // the clock
	Log     *slog.Logger
}

// Transactions serves the rows behind every number: GET /transactions, the payments matching a
// period and filters a page at a time with their count and sum, and GET /transactions.csv,
// every one of them.
type Transactions struct {
	db   queries.Querier
	opts TransactionsOptions
}

// NewTransactions returns the handler.
func NewTransactions(db queries.Querier, opts TransactionsOptions) *Transactions {
	panelDefaults(&opts.Timeout, &opts.Now, &opts.Log)
	return &Transactions{db: db, opts: opts}
}

const (
	// transactionsPageSize rows a page lists.
	transactionsPageSize = 100
	// transactionsCSVLimit caps a download: a spreadsheet's worth, and a bounded read.
	transactionsCSVLimit = 100_000
	// transactionsCSVBatch rows are read at a time while a download streams.
	transactionsCSVBatch = 5_000
)

// mayList refuses, with a 403, what the viewer's role may not list. Partnership managers work
// bank by bank (their bank pages link here with the bank's code): every other role sees all
// transactions, as their dashboards count them all.
func mayList(c echo.Context, f queries.TransactionFilter) error {
	a, ok := auth.Current(c)
	if ok && a.Role == auth.RolePartnerships && f.Bank == "" {
		return echo.NewHTTPError(http.StatusForbidden,
			"Partnership managers list one bank's transactions at a time: open them from a chart on the bank's page, or add bank=CODE to the address.")
	}
	return nil
}

// Page serves GET /transactions.
func (h *Transactions) Page(c echo.Context) error {
	now := h.opts.Now()
	q, err := parseTransactionsQuery(c.QueryParams(), calendar.Today(now))
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return render(c, http.StatusBadRequest, views.TransactionsPage(invalidTransactionsView(q, bad.msg)))
		}
		return err
	}
	if err := mayList(c, q.Filter); err != nil {
		return err
	}
	v := h.view(c.Request().Context(), q, now)
	if c.Request().Context().Err() != nil {
		return nil // the viewer left: there is no one to answer
	}
	status := http.StatusOK
	if v.Unavailable != "" {
		status = http.StatusServiceUnavailable
	}
	return render(c, status, views.TransactionsPage(v))
}

// snapshotter is a database that can read several statements from one snapshot (a
// *pgxpool.Pool).
type snapshotter interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// load reads the page's rows (one more than a page, to know whether another follows) and the
// count and sum of all of them. Payments keep arriving and changing status, so both are read
// from one snapshot where the database allows it: the rows listed are then exactly the ones
// counted, never one that arrived in between.
func (h *Transactions) load(ctx context.Context, q transactionsQuery) (rows []queries.TransactionRow, count int64, sum decimal.Decimal, err error) {
	ctx, cancel := context.WithTimeout(ctx, h.opts.Timeout)
	defer cancel()
	db := h.db
	if s, ok := h.db.(snapshotter); ok {
		tx, err := s.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return nil, 0, sum, err
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // read only: nothing to keep
		db = tx
	}
	if rows, err = queries.ListTransactions(ctx, db, q.Filter, q.Cursor, transactionsPageSize+1); err != nil {
		return nil, 0, sum, err
	}
	count, sum, err = queries.TransactionTotals(ctx, db, q.Filter)
	return rows, count, sum, err
}

// view loads and lays out the page of q.
func (h *Transactions) view(ctx context.Context, q transactionsQuery, now time.Time) views.Transactions {
	first := q.params()
	v := views.Transactions{
		Title:       q.words(),
		Figure:      q.Figure,
		Period:      periodInstants(q.Period),
		Form:        transactionsForm(q),
		CSVHref:     "/transactions.csv?" + withoutFigure(first).Encode(),
		NewestHref:  "/transactions?" + first.Encode(),
		Later:       q.Cursor != nil,
		GeneratedAt: now.In(calendar.SAST).Format("2 Jan 2006 15:04:05"),
	}
	rows, count, sum, err := h.load(ctx, q)
	if err != nil {
		if ctx.Err() == nil {
			h.opts.Log.Warn("transactions unavailable", "err", err)
		}
		v.Unavailable = shortReason(err, dbPG, h.opts.Timeout)
		return v
	}
	v.Count, v.Sum = views.Count(count), views.Rand(sum)
	if len(rows) > transactionsPageSize {
		rows = rows[:transactionsPageSize]
		last := rows[len(rows)-1]
		next := url.Values{}
		for k, vs := range first {
			next[k] = vs
		}
		next.Set("cursor", queries.EncodeTransactionCursor(queries.TransactionCursor{CreatedAt: last.CreatedAt, ID: last.ID}, q.Filter))
		v.NextHref = "/transactions?" + next.Encode()
	}
	pageSum := decimal.Zero
	for _, r := range rows {
		pageSum = pageSum.Add(r.Amount)
		v.Rows = append(v.Rows, transactionLine(r))
	}
	v.PageCount, v.PageSum = views.Count(len(rows)), views.Rand(pageSum)
	return v
}

// invalidTransactionsView is the page of an address that cannot be listed: why, and the form.
func invalidTransactionsView(q transactionsQuery, msg string) views.Transactions {
	return views.Transactions{Title: "Transactions", Error: msg, Form: transactionsForm(q)}
}

// transactionsForm refills the filter form: with what was read from the address, else (after
// an error) with what was typed.
func transactionsForm(q transactionsQuery) views.TransactionsForm {
	typed := q.Typed
	f := views.TransactionsForm{
		From: typed.Get("from"), To: typed.Get("to"),
		Bank: typed.Get("bank"), Channel: typed.Get("channel"), Status: typed.Get("status"), FailureReason: typed.Get("failure_reason"),
		Statuses: transactionStatuses,
	}
	if !q.Period.From.IsZero() {
		f.From, f.To = q.Period.Days.From.String(), q.Period.Days.To.String()
	}
	if !q.Filter.From.IsZero() {
		f.Bank, f.Channel, f.Status, f.FailureReason = q.Filter.Bank, q.Filter.Channel, q.Filter.Status, q.Filter.FailureReason
	}
	for _, ch := range []string{"online", "offline_sms"} {
		f.Channels = append(f.Channels, views.Option{Value: ch, Label: ch})
	}
	return f
}

// periodInstants says exactly which instants the period covers.
func periodInstants(p drillPeriod) string {
	const layout = "2 Jan 2006 15:04"
	return "initiated from " + p.From.In(calendar.SAST).Format(layout) + " up to (not including) " +
		p.To.In(calendar.SAST).Format(layout) + " SAST"
}

func withoutFigure(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if k != "figure" {
			out[k] = vs
		}
	}
	return out
}

// transactionLine is a row as the page shows it.
func transactionLine(r queries.TransactionRow) views.TransactionLine {
	l := views.TransactionLine{
		ID:        r.ID.String(),
		Initiated: r.CreatedAt.In(calendar.SAST).Format("2006-01-02 15:04:05"),
		Final:     "pending",
		Sender:    r.SenderBlood, Recipient: r.RecipientBlood,
		Amount:  views.Rand(r.Amount),
		Status:  r.Status,
		Bank:    dashIfEmpty(r.BankID),
		Channel: r.Channel,
		Reason:  r.FailureReason,
	}
	if r.Currency != "ZAR" {
		l.Amount = r.Amount.StringFixed(2) + " " + r.Currency
	}
	if r.CompletedAt != nil {
		final := r.CompletedAt.In(calendar.SAST)
		l.Final = final.Format("15:04:05") // the same day, mostly: the date only when it differs
		if !calendar.DateOf(final).Equal(calendar.DateOf(r.CreatedAt)) {
			l.Final = final.Format("2006-01-02 15:04:05")
		}
	}
	if r.ProcessingMS != nil {
		l.Processing = views.Count(int64(*r.ProcessingMS)) + " ms"
	}
	return l
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// CSV serves GET /transactions.csv: every transaction of the page's filters (the cursor and
// figure are ignored), newest first, streamed a batch at a time so a large download neither
// waits for all its rows nor holds them in memory. It stops at transactionsCSVLimit rows and
// says so in its last line.
func (h *Transactions) CSV(c echo.Context) error {
	now := h.opts.Now()
	params := c.QueryParams()
	params.Del("cursor")
	q, err := parseTransactionsQuery(params, calendar.Today(now))
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return echo.NewHTTPError(http.StatusBadRequest, bad.msg)
		}
		return err
	}
	if err := mayList(c, q.Filter); err != nil {
		return err
	}
	ctx := c.Request().Context()
	read := func(after *queries.TransactionCursor, limit int) ([]queries.TransactionRow, error) {
		rctx, cancel := context.WithTimeout(ctx, h.opts.Timeout)
		defer cancel()
		return queries.ListTransactions(rctx, h.db, q.Filter, after, limit)
	}
	// The first batch is read before anything is sent, so a database that is down is an
	// honest 503 and not a file that stops after its header.
	batch, err := read(nil, min(transactionsCSVBatch, transactionsCSVLimit+1))
	if err != nil {
		h.opts.Log.Warn("transactions download unavailable", "err", err)
		return echo.NewHTTPError(http.StatusServiceUnavailable,
			"The transactions are unavailable ("+shortReason(err, dbPG, h.opts.Timeout)+"). Try again shortly.")
	}
	days := q.Period.Days
	name := fmt.Sprintf("mari-transactions-%s-to-%s.csv", days.From, days.To)
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	res.Header().Set("Cache-Control", "no-store")
	res.WriteHeader(http.StatusOK)
	w := csv.NewWriter(res)
	_ = w.Write([]string{"id", "created_at", "completed_at", "sender_blood_hash", "recipient_blood_hash", "amount", "currency",
		"status", "bank", "channel", "failure_reason", "processing_ms"})
	written := 0
	for {
		for _, r := range batch {
			if written == transactionsCSVLimit {
				_ = w.Write([]string{fmt.Sprintf("# cut at %s rows: more transactions match; narrow the period or the filters to download them all",
					views.Count(transactionsCSVLimit))})
				w.Flush()
				return nil
			}
			_ = w.Write(transactionCSVRow(r))
			written++
		}
		w.Flush()
		res.Flush()
		if err := w.Error(); err != nil {
			return nil // the client went away: nothing more to send
		}
		if len(batch) < transactionsCSVBatch {
			return nil
		}
		last := batch[len(batch)-1]
		batch, err = read(&queries.TransactionCursor{CreatedAt: last.CreatedAt, ID: last.ID}, transactionsCSVBatch)
		if err != nil {
			h.opts.Log.Warn("transactions download stopped", "rows", written, "err", err)
			_ = w.Write([]string{fmt.Sprintf("# incomplete: the download stopped after %s rows (%s); download it again",
				views.Count(written), shortReason(err, dbPG, h.opts.Timeout))})
			w.Flush()
			return nil
		}
	}
}

// transactionCSVRow is a row as the download prints it: exact amounts, instants with their
// offset (SAST) to the microsecond.
func transactionCSVRow(r queries.TransactionRow) []string {
	const layout = "2006-01-02T15:04:05.000000Z07:00"
	completed, ms := "", ""
	if r.CompletedAt != nil {
		completed = r.CompletedAt.In(calendar.SAST).Format(layout)
	}
	if r.ProcessingMS != nil {
		ms = strconv.Itoa(int(*r.ProcessingMS))
	}
	row := []string{r.ID.String(), r.CreatedAt.In(calendar.SAST).Format(layout), completed, r.SenderBlood, r.RecipientBlood,
		r.Amount.StringFixed(2), r.Currency, r.Status, r.BankID, r.Channel, r.FailureReason, ms}
	for i, cell := range row {
		row[i] = csvSafe(cell)
	}
	return row
}
