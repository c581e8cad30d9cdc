package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/auth"
	"mari/calendar"
	"mari/metrics"
	"mari/queries"
	"mari/views"
)

// BanksDB is what the bank-partnership pages need of PostgreSQL: statements, and
// transactions so an edit and its audit entry land together.
type BanksDB interface {
	queries.Querier
	Begin(ctx context.Context) (pgx.Tx, error)
}

// BanksOptions configure the bank-partnership pages.
type BanksOptions struct {
	PanelTimeout time.Duration    // each panel's own time limit
	Now          func() time.Time // the clock
	Log          *slog.Logger
}

// Banks serves the bank overview, each bank's page, their CSV downloads and the partnership
// forms.
type Banks struct {
	db   BanksDB
	opts BanksOptions
}

// NewBanks returns the handler.
func NewBanks(db BanksDB, opts BanksOptions) *Banks {
	panelDefaults(&opts.PanelTimeout, &opts.Now, &opts.Log)
	return &Banks{db: db, opts: opts}
}

// canEditPartnerships: partnership managers and admins create and edit partnerships;
// executives see every figure but do not change contracts.
func canEditPartnerships(c echo.Context) bool {
	a, ok := auth.Current(c)
	return ok && auth.Allows(a.Role, auth.RolePartnerships)
}

// feeSplit is the transaction-fee revenue of completed transactions and its split: the bank
// gets share of it, rounded to the cent, and Mari the rest, so the two always add up to the fee.
type feeSplit struct {
	Fee, Bank, Mari decimal.Decimal
}

func splitFee(completed int64, share decimal.Decimal) feeSplit {
	fee := metrics.TransactionFee.Mul(decimal.NewFromInt(completed))
	bank := fee.Mul(share).Round(2)
	return feeSplit{Fee: fee, Bank: bank, Mari: fee.Sub(bank)}
}

// successRate is completed / (completed + failed); ok is false when no transaction is final.
func successRate(completed, failed int64) (decimal.Decimal, bool) {
	return metrics.RatioInt(completed, completed+failed)
}

// bankRow is one line of the overview.
type bankRow struct {
	queries.BankTotals
	Split     feeSplit
	Success   decimal.Decimal
	SuccessOK bool
	Licensing decimal.Decimal
}

// parseBankRange reads the range like the executive dashboard; "all" starts at the launch
// month (the first sign-up).
func (h *Banks) parseRange(c echo.Context, today calendar.Date) (rangeChoice, error) {
	return parseRange(c.QueryParams(), today,
		launchForAll(c.Request().Context(), h.opts.PanelTimeout, h.opts.Log, calendar.Date{}, firstSignupIn(h.db)))
}

func bankRangeForm(rc rangeChoice, base, msg string, keep url.Values) views.RangeForm {
	f := views.RangeForm{From: rc.From, To: rc.To, Error: msg}
	for _, p := range presets {
		q := url.Values{"preset": {p.Key}}
		for k, v := range keep {
			q[k] = v
		}
		f.Presets = append(f.Presets, views.PresetLink{
			Label: p.Label, Href: base + "?" + q.Encode(), Active: msg == "" && rc.Preset == p.Key,
		})
	}
	return f
}

// bankColumn is one sortable column of the overview.
type bankColumn struct {
	key, label string
	numeric    bool
	less       func(a, b bankRow) bool
	cell       func(r bankRow) string
	csv        []string // CSV header(s) for the column
	csvCells   func(r bankRow) []string
}

func cmpDec(a, b decimal.Decimal) bool { return a.LessThan(b) }

var bankColumns = []bankColumn{
	{key: "bank", label: "Bank", less: func(a, b bankRow) bool { return strings.ToLower(a.Name) < strings.ToLower(b.Name) },
		cell: func(r bankRow) string { return r.Name }, csv: []string{"bank_code", "bank_name"},
		csvCells: func(r bankRow) []string { return []string{r.Code, r.Name} }},
	{key: "status", label: "Status", less: func(a, b bankRow) bool { return a.Status < b.Status },
		cell: func(r bankRow) string { return r.Status }, csv: []string{"status"},
		csvCells: func(r bankRow) []string { return []string{r.Status} }},
	{key: "users", label: "Users", numeric: true, less: func(a, b bankRow) bool { return a.Users < b.Users },
		cell: func(r bankRow) string { return views.Count(r.Users) }, csv: []string{"users"},
		csvCells: func(r bankRow) []string { return []string{fmt.Sprint(r.Users)} }},
	{key: "transactions", label: "Transactions", numeric: true, less: func(a, b bankRow) bool { return a.Transactions < b.Transactions },
		cell: func(r bankRow) string { return views.Count(r.Transactions) },
		csv:  []string{"transactions", "completed", "failed", "pending"},
		csvCells: func(r bankRow) []string {
			return []string{fmt.Sprint(r.Transactions), fmt.Sprint(r.Completed), fmt.Sprint(r.Failed), fmt.Sprint(r.Pending)}
		}},
	{key: "volume", label: "Completed volume", numeric: true, less: func(a, b bankRow) bool { return cmpDec(a.CompletedVolume, b.CompletedVolume) },
		cell: func(r bankRow) string { return views.Rand(r.CompletedVolume) }, csv: []string{"completed_volume"},
		csvCells: func(r bankRow) []string { return []string{exact(r.CompletedVolume)} }},
	{key: "success", label: "Success rate", numeric: true, less: func(a, b bankRow) bool {
		if a.SuccessOK != b.SuccessOK {
			return !a.SuccessOK // n/a is the lowest
		}
		return cmpDec(a.Success, b.Success)
	}, cell: func(r bankRow) string { return pctOrNA(r.Success, r.SuccessOK) }, csv: []string{"success_rate"},
		csvCells: func(r bankRow) []string { return []string{fracOrNA(r.Success, r.SuccessOK)} }},
	{key: "fee", label: "Transaction fees", numeric: true, less: func(a, b bankRow) bool { return cmpDec(a.Split.Fee, b.Split.Fee) },
		cell: func(r bankRow) string { return views.Rand(r.Split.Fee) }, csv: []string{"transaction_fees"},
		csvCells: func(r bankRow) []string { return []string{exact(r.Split.Fee)} }},
	{key: "bank_share", label: "Bank's share", numeric: true, less: func(a, b bankRow) bool { return cmpDec(a.Split.Bank, b.Split.Bank) },
		cell: func(r bankRow) string {
			return views.Rand(r.Split.Bank) + " (" + views.Percent(r.BankShare, 2) + ")"
		}, csv: []string{"bank_share_fraction", "bank_share"},
		csvCells: func(r bankRow) []string { return []string{r.BankShare.String(), exact(r.Split.Bank)} }},
	{key: "mari_share", label: "Mari's share", numeric: true, less: func(a, b bankRow) bool { return cmpDec(a.Split.Mari, b.Split.Mari) },
		cell: func(r bankRow) string { return views.Rand(r.Split.Mari) }, csv: []string{"mari_share"},
		csvCells: func(r bankRow) []string { return []string{exact(r.Split.Mari)} }},
	{key: "licensing", label: "Licensing fees", numeric: true, less: func(a, b bankRow) bool { return cmpDec(a.Licensing, b.Licensing) },
		cell: func(r bankRow) string { return views.Rand(r.Licensing) }, csv: []string{"licensing_fees"},
		csvCells: func(r bankRow) []string { return []string{exact(r.Licensing)} }},
}

func pctOrNA(d decimal.Decimal, ok bool) string {
	if !ok {
		return views.NA
	}
	return views.Percent(d, 2)
}

func fracOrNA(d decimal.Decimal, ok bool) string {
	if !ok {
		return ""
	}
	return d.StringFixed(6)
}

// bankSort is the overview's validated sort: a column key and a direction.
type bankSort struct {
	Key  string
	Desc bool
}

var defaultBankSort = bankSort{Key: "volume", Desc: true}

func parseBankSort(q url.Values) (bankSort, error) {
	s := defaultBankSort
	if k := q.Get("sort"); k != "" {
		found := false
		for _, c := range bankColumns {
			if c.key == k {
				found = true
			}
		}
		if !found {
			keys := make([]string, len(bankColumns))
			for i, c := range bankColumns {
				keys[i] = c.key
			}
			return s, badf("Cannot sort by %q: choose one of %s.", k, strings.Join(keys, ", "))
		}
		s.Key = k
		s.Desc = false
	}
	switch q.Get("dir") {
	case "":
	case "asc":
		s.Desc = false
	case "desc":
		s.Desc = true
	default:
		return s, badf("The sort direction %q is not asc or desc.", q.Get("dir"))
	}
	return s, nil
}

func sortBankRows(rows []bankRow, s bankSort) {
	var less func(a, b bankRow) bool
	for _, c := range bankColumns {
		if c.key == s.Key {
			less = c.less
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if s.Desc {
			a, b = b, a
		}
		if less(a, b) {
			return true
		}
		if less(b, a) {
			return false
		}
		return rows[i].Code < rows[j].Code // ties: by code, whatever the direction
	})
}

// overview loads every bank's row for r: the transaction figures and the licensing fees run
// concurrently, each with its own timeout.
func (h *Banks) overview(ctx context.Context, r calendar.Range) ([]bankRow, string) {
	var totals panel[[]queries.BankTotals]
	var fees panel[map[string]decimal.Decimal]
	l := &loader{ctx: ctx, timeout: h.opts.PanelTimeout, log: h.opts.Log}
	load(l, "bank overview", dbPG, &totals, func(ctx context.Context) ([]queries.BankTotals, error) {
		return queries.BankOverview(ctx, h.db, r)
	})
	load(l, "bank licensing", dbPG, &fees, func(ctx context.Context) (map[string]decimal.Decimal, error) {
		return queries.BankLicensingFees(ctx, h.db, r)
	})
	l.wg.Wait()
	if !totals.ok() {
		return nil, totals.Err
	}
	if !fees.ok() {
		return nil, fees.Err
	}
	rows := make([]bankRow, 0, len(totals.V))
	for _, t := range totals.V {
		row := bankRow{BankTotals: t, Split: splitFee(t.Completed, t.BankShare), Licensing: fees.V[t.Code]}
		row.Success, row.SuccessOK = successRate(t.Completed, t.Failed)
		rows = append(rows, row)
	}
	return rows, ""
}

// Overview serves GET /banks: every bank over a range, sorted as asked.
func (h *Banks) Overview(c echo.Context) error {
	now := h.opts.Now()
	today := calendar.Today(now)
	rc, err := h.parseRange(c, today)
	if err == nil {
		_, err = parseBankSort(c.QueryParams())
	}
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return render(c, http.StatusBadRequest, views.BanksInvalid(bankRangeForm(rc, "/banks", bad.msg, nil)))
		}
		return err
	}
	s, _ := parseBankSort(c.QueryParams())
	rows, unavailable := h.overview(c.Request().Context(), rc.Range)
	sortBankRows(rows, s)
	return render(c, http.StatusOK, views.BanksPage(h.overviewView(c, rc, s, rows, unavailable, now)))
}

func (h *Banks) overviewView(c echo.Context, rc rangeChoice, s bankSort, rows []bankRow, unavailable string, now time.Time) views.BanksOverview {
	r := rc.Range
	sortQ := url.Values{"sort": {s.Key}, "dir": {dirName(s.Desc)}}
	v := views.BanksOverview{
		Form:        bankRangeForm(rc, "/banks", "", sortQ),
		FormHidden:  map[string]string{"sort": s.Key, "dir": dirName(s.Desc)},
		Range:       r,
		CSVHref:     "/banks.csv?" + mergeQuery(rangeQuery(r), sortQ),
		Unavailable: unavailable,
		CanEdit:     canEditPartnerships(c),
		GeneratedAt: now.In(calendar.SAST).Format("2 Jan 2006 15:04"),
	}
	for _, col := range bankColumns {
		dir := "asc" // names and statuses A→Z first, figures largest first
		if col.numeric {
			dir = "desc"
		}
		sorted := ""
		if col.key == s.Key {
			sorted = dirName(s.Desc)
			dir = dirName(!s.Desc) // clicking again reverses
		}
		v.Columns = append(v.Columns, views.BankColumn{
			Label: col.label, Numeric: col.numeric, Sorted: sorted,
			Href: "/banks?" + mergeQuery(rangeQuery(r), url.Values{"sort": {col.key}, "dir": {dir}}),
		})
	}
	var total bankRow
	for _, row := range rows {
		vr := views.BankOverviewRow{Href: "/banks/" + url.PathEscape(row.Code) + "?" + rangeQuery(r), Code: row.Code}
		for _, col := range bankColumns {
			vr.Cells = append(vr.Cells, col.cell(row))
		}
		v.Rows = append(v.Rows, vr)
		total.Transactions += row.Transactions
		total.Completed += row.Completed
		total.Failed += row.Failed
		total.CompletedVolume = total.CompletedVolume.Add(row.CompletedVolume)
		total.Split.Fee = total.Split.Fee.Add(row.Split.Fee)
		total.Split.Bank = total.Split.Bank.Add(row.Split.Bank)
		total.Split.Mari = total.Split.Mari.Add(row.Split.Mari)
		total.Licensing = total.Licensing.Add(row.Licensing)
	}
	if len(rows) > 0 {
		total.Success, total.SuccessOK = successRate(total.Completed, total.Failed)
		// Users are distinct per bank: one person may use two banks, so they are not summed.
		v.Total = []string{"All banks", "", "", views.Count(total.Transactions), views.Rand(total.CompletedVolume),
			pctOrNA(total.Success, total.SuccessOK), views.Rand(total.Split.Fee), views.Rand(total.Split.Bank),
			views.Rand(total.Split.Mari), views.Rand(total.Licensing)}
	}
	return v
}

func dirName(desc bool) string {
	if desc {
		return "desc"
	}
	return "asc"
}

func mergeQuery(encoded string, more url.Values) string {
	q, _ := url.ParseQuery(encoded)
	for k, v := range more {
		q[k] = v
	}
	return q.Encode()
}

// OverviewCSV serves GET /banks.csv: the overview's rows with exact numbers.
func (h *Banks) OverviewCSV(c echo.Context) error {
	now := h.opts.Now()
	rc, err := h.parseRange(c, calendar.Today(now))
	if err == nil {
		_, err = parseBankSort(c.QueryParams())
	}
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return echo.NewHTTPError(http.StatusBadRequest, bad.msg)
		}
		return err
	}
	s, _ := parseBankSort(c.QueryParams())
	rows, unavailable := h.overview(c.Request().Context(), rc.Range)
	if unavailable != "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "The bank figures are unavailable: "+unavailable+". Try again shortly.")
	}
	sortBankRows(rows, s)
	var t table
	t.Header = []string{"from", "to"}
	for _, col := range bankColumns {
		t.Header = append(t.Header, col.csv...)
	}
	for _, row := range rows {
		line := []string{rc.Range.From.String(), rc.Range.To.String()}
		for _, col := range bankColumns {
			for _, cell := range col.csvCells(row) {
				line = append(line, cell)
			}
		}
		t.Rows = append(t.Rows, line)
	}
	return writeCSV(c, fmt.Sprintf("mari-banks-%s-to-%s.csv", rc.Range.From, rc.Range.To), t)
}
