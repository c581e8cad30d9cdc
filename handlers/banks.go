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

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"golang.org/x/sync/singleflight"

	"mari/auth"
	"mari/calendar"
	"mari/catalogue"
	"mari/metrics"
	"mari/queries"
	"mari/views"
)

// BanksDB is what the bank-partnership pages need of PostgreSQL: statements, and
// transactions so an edit and its audit entry land together.
type BanksDB = queries.DB

// BanksOptions configure the bank-partnership pages.
type BanksOptions struct {
	PanelTimeout time.Duration    // each panel's own time limit
	Now          func() time.Time // the clock
	Log          *slog.Logger
	// Metrics is the metric catalogue's view of the databases. Give the one the other pages
	// use, so that their concurrent loads of the same inputs are shared; nil makes one over db.
	Metrics *catalogue.Sources
}

// Banks serves the bank overview, each bank's page, their CSV downloads and the partnership
// forms. A bank's transaction and revenue figures are the catalogue's metrics filtered by the
// bank; each panel (banks_*.go) loads and shows one part of a page.
type Banks struct {
	db      BanksDB
	opts    BanksOptions
	metrics *catalogue.Sources
	panels  panels
	// failedLoads shares a bank's monthly failed counts among the panels asking at once.
	failedLoads singleflight.Group
}

// NewBanks returns the handler.
func NewBanks(db BanksDB, opts BanksOptions) *Banks {
	panelDefaults(&opts.PanelTimeout, &opts.Now, &opts.Log)
	m := opts.Metrics
	if m == nil {
		m = catalogue.NewSources(db, nil) // the bank metrics read PostgreSQL only
	}
	return &Banks{db: db, opts: opts, metrics: m, panels: panels{timeout: opts.PanelTimeout, log: opts.Log}}
}

// canEditPartnerships: partnership managers and admins create and edit partnerships;
// executives see every figure but do not change contracts.
func canEditPartnerships(c echo.Context) bool {
	a, ok := auth.Current(c)
	return ok && auth.Allows(a.Role, auth.RolePartnerships)
}

// parseRange reads the range like the executive dashboard; "all" starts at the launch month
// (the first sign-up).
func (h *Banks) parseRange(c echo.Context, today calendar.Date) (rangeChoice, error) {
	return parseRange(c.QueryParams(), today,
		launchForAll(c.Request().Context(), h.opts.PanelTimeout, h.opts.Log, calendar.Date{}, firstSignupIn(h.db)))
}

func bankRangeForm(rc rangeChoice, base, msg string, keep url.Values) views.RangeForm {
	f := views.RangeForm{From: rc.From, To: rc.To, Error: msg, Preset: relativePreset(rc)}
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

// showCell is a typed table cell as the page shows it, in its column's unit: the HTML table
// formats the very values the CSV prints exactly (money with the rand sign, ratios as
// percentages with two places, counts with grouped thousands, n/a for what cannot be known).
func showCell(cell any, unit catalogue.Unit) string {
	switch v := cell.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return views.Count(v)
	case int:
		return views.Count(v)
	case bool:
		return yesNo(v)
	case calendar.Date:
		return v.String()
	case decimal.Decimal:
		return views.Value(unit, 2, catalogue.Of(v))
	case catalogue.Value:
		return views.Value(unit, 2, v)
	}
	return csvCell(cell, unit)
}

// numericUnit says whether a column of unit holds figures (right-aligned on the page).
func numericUnit(u catalogue.Unit) bool { return u != catalogue.Concept }

// compareCells orders two cells of the same typed column: text without regard to case,
// numbers by value, and n/a below every value.
func compareCells(a, b any) int {
	switch x := a.(type) {
	case string:
		y, _ := b.(string)
		return strings.Compare(strings.ToLower(x), strings.ToLower(y))
	case int64:
		y, _ := b.(int64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case decimal.Decimal:
		y, _ := b.(decimal.Decimal)
		return x.Cmp(y)
	case catalogue.Value:
		y, _ := b.(catalogue.Value)
		switch {
		case x.OK && y.OK:
			return x.V.Cmp(y.V)
		case x.OK:
			return 1
		case y.OK:
			return -1
		}
	}
	return 0
}

// sumValues adds metric values; the sum is n/a when any part is.
func sumValues(a, b catalogue.Value) catalogue.Value {
	if !a.OK || !b.OK {
		return catalogue.NA
	}
	return catalogue.Of(a.V.Add(b.V))
}

// valueIf is v, known only when ok: a bank figure over a range the rollup has never covered
// is n/a, as the catalogue's metrics are.
func valueIf(v decimal.Decimal, ok bool) catalogue.Value {
	if !ok {
		return catalogue.NA
	}
	return catalogue.Of(v)
}

// bankColumn is one sortable column of the overview: the typed column it sorts by and how a
// row's cell reads on the page.
type bankColumn struct {
	key, label string
	numeric    bool
	sortBy     int
	show       func(row []any) string
}

// cellOf shows the overview's column i of row in its unit.
func cellOf(i int) func(row []any) string {
	return func(row []any) string { return showCell(row[i], overviewCols[i].Unit) }
}

var bankColumns = []bankColumn{
	{key: "bank", label: "Bank", sortBy: ovName, show: cellOf(ovName)},
	{key: "status", label: "Status", sortBy: ovStatus, show: cellOf(ovStatus)},
	{key: "users", label: "Users", numeric: true, sortBy: ovUsers, show: cellOf(ovUsers)},
	{key: "transactions", label: "Transactions", numeric: true, sortBy: ovTransactions, show: cellOf(ovTransactions)},
	{key: "volume", label: "Completed volume", numeric: true, sortBy: ovVolume, show: cellOf(ovVolume)},
	{key: "success", label: "Success rate", numeric: true, sortBy: ovSuccess, show: cellOf(ovSuccess)},
	{key: "fee", label: "Fees billed", numeric: true, sortBy: ovFeesBilled, show: cellOf(ovFeesBilled)},
	{key: "bank_share", label: "Bank's share", numeric: true, sortBy: ovBankShare, show: func(row []any) string {
		return cellOf(ovBankShare)(row) + " (" + cellOf(ovShareFraction)(row) + ")"
	}},
	{key: "mari_share", label: "Mari's share", numeric: true, sortBy: ovMariShare, show: cellOf(ovMariShare)},
	{key: "licensing", label: "Licensing fees", numeric: true, sortBy: ovLicensing, show: cellOf(ovLicensing)},
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

// sortBankRows sorts the overview's typed rows in place; ties go by bank code, whatever the
// direction, so the order is stable.
func sortBankRows(rows [][]any, s bankSort) {
	col := ovVolume
	for _, c := range bankColumns {
		if c.key == s.Key {
			col = c.sortBy
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		c := compareCells(rows[i][col], rows[j][col])
		if s.Desc {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
		return compareCells(rows[i][ovCode], rows[j][ovCode]) < 0
	})
}

// parseOverview reads the overview's range and sort; a badInput error is the viewer's to fix.
func (h *Banks) parseOverview(c echo.Context, today calendar.Date) (rangeChoice, bankSort, error) {
	rc, err := h.parseRange(c, today)
	if err != nil {
		return rc, defaultBankSort, err
	}
	s, err := parseBankSort(c.QueryParams())
	return rc, s, err
}

// loadOverview runs the overview's panel for r and sorts its rows as asked. The table is the
// panel's own copy, shared with other viewers of the range: the rows are sorted in a copy.
func (h *Banks) loadOverview(ctx context.Context, r calendar.Range, today calendar.Date, s bankSort) panelOut {
	in := banksIn{h: h, r: r, today: today}
	o := runOne(ctx, &h.panels, in.key(), banksOverviewPanel, in)
	o.Table.Rows = append([][]any(nil), o.Table.Rows...)
	sortBankRows(o.Table.Rows, s)
	return o
}

// Overview serves GET /banks: every bank over a range, sorted as asked.
func (h *Banks) Overview(c echo.Context) error {
	now := h.opts.Now()
	today := calendar.Today(now)
	rc, s, err := h.parseOverview(c, today)
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return render(c, http.StatusBadRequest, views.BanksInvalid(bankRangeForm(rc, "/banks", bad.msg, nil)))
		}
		return err
	}
	o := h.loadOverview(c.Request().Context(), rc.Range, today, s)
	return render(c, http.StatusOK, views.BanksPage(h.overviewView(c, rc, s, o, now)))
}

func (h *Banks) overviewView(c echo.Context, rc rangeChoice, s bankSort, o panelOut, now time.Time) views.BanksOverview {
	r := rc.Range
	sortQ := url.Values{"sort": {s.Key}, "dir": {dirName(s.Desc)}}
	v := views.BanksOverview{
		Form:        bankRangeForm(rc, "/banks", "", sortQ),
		FormHidden:  map[string]string{"sort": s.Key, "dir": dirName(s.Desc)},
		Range:       r,
		CSVHref:     "/banks.csv?" + mergeQuery(rangeQuery(r), sortQ),
		Unavailable: o.Chart.Unavailable,
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
			Href: "/banks?" + mergeQuery(choiceQuery(rc), url.Values{"sort": {col.key}, "dir": {dir}}),
		})
	}
	for _, row := range o.Table.Rows {
		code := row[ovCode].(string)
		vr := views.BankOverviewRow{Href: "/banks/" + url.PathEscape(code) + "?" + choiceQuery(rc), Code: code}
		for _, col := range bankColumns {
			vr.Cells = append(vr.Cells, col.show(row))
		}
		v.Rows = append(v.Rows, vr)
	}
	if len(o.Table.Rows) > 0 {
		v.Total = overviewTotal(o.Table.Rows)
	}
	return v
}

// overviewTotal is the "all banks" line, aligned with bankColumns: the banks' figures added
// up, and the success rate of their transactions together. Users are distinct per bank (one
// person may use two banks), so they are not added up.
func overviewTotal(rows [][]any) []string {
	sum := make([]catalogue.Value, ovColumns)
	for _, i := range []int{ovTransactions, ovCompleted, ovVolume, ovFeesBilled, ovBankShare, ovMariShare, ovLicensing} {
		sum[i] = catalogue.OfInt(0)
		for _, row := range rows {
			sum[i] = sumValues(sum[i], row[i].(catalogue.Value))
		}
	}
	var failed int64
	for _, row := range rows {
		failed += row[ovFailed].(int64)
	}
	success := catalogue.NA
	if sum[ovCompleted].OK {
		success = successValue(sum[ovCompleted].V.IntPart(), failed)
	}
	show := func(i int, v catalogue.Value) string { return showCell(v, overviewCols[i].Unit) }
	return []string{"All banks", "", "", show(ovTransactions, sum[ovTransactions]), show(ovVolume, sum[ovVolume]),
		show(ovSuccess, success), show(ovFeesBilled, sum[ovFeesBilled]), show(ovBankShare, sum[ovBankShare]),
		show(ovMariShare, sum[ovMariShare]), show(ovLicensing, sum[ovLicensing])}
}

// successValue is the success rate of completed and failed transactions, by the one formula
// of every success rate.
func successValue(completed, failed int64) catalogue.Value {
	v, ok := metrics.SuccessRate(completed, failed)
	return catalogue.Value{V: v, OK: ok}
}

// OverviewCSV serves GET /banks.csv, and GET /banks.xlsx the same rows as a workbook: the
// overview's typed rows, exactly, sorted as the page.
func (h *Banks) OverviewCSV(c echo.Context) error {
	now := h.opts.Now()
	today := calendar.Today(now)
	rc, s, err := h.parseOverview(c, today)
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return echo.NewHTTPError(http.StatusBadRequest, bad.msg)
		}
		return err
	}
	o := h.loadOverview(c.Request().Context(), rc.Range, today, s)
	if o.Chart.Unavailable != "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "The bank figures are unavailable: "+o.Chart.Unavailable+". Try again shortly.")
	}
	format := "csv"
	if strings.HasSuffix(c.Request().URL.Path, ".xlsx") {
		format = "xlsx"
	}
	return writeDownload(c, format, fmt.Sprintf("mari-banks-%s-to-%s", rc.Range.From, rc.Range.To), o.Table)
}
