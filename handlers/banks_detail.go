package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"mari/calendar"
	"mari/catalogue"
	"mari/queries"
	"mari/views"
)

// bankIn is what every panel of a bank's page loads from: the partnership, the range and the
// clock.
type bankIn struct {
	h     *Banks
	p     queries.Partnership
	rc    rangeChoice
	now   time.Time
	today calendar.Date
}

// key names the inputs that change the panels' data, so viewers of the same bank and range
// share their loads; an edit of the partnership (its share, fee or SLA) is a new key.
func (in bankIn) key() string {
	return in.p.Code + "@" + strconv.FormatInt(in.p.UpdatedAt.UnixNano(), 10) + "@" + in.rc.Range.String() + "@" + in.today.String()
}

// ask loads the catalogue metrics ids for the bank, by calendar month of the range. They run
// at once because they read the same daily facts of the bank, which the catalogue then reads
// once for all of them (and for the page's other panels asking at the same time).
func (in bankIn) ask(ctx context.Context, ids ...string) (map[string]catalogue.Series, error) {
	q := catalogue.Query{Range: in.rc.Range, Grain: catalogue.Month, Filters: catalogue.Filters{Bank: in.p.Code}, Now: in.now}
	out := make([]catalogue.Series, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = catalogue.Ask(ctx, in.h.metrics, catalogue.Must(id), q)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err // they fail together (one read): the first says why
		}
	}
	byID := make(map[string]catalogue.Series, len(ids))
	for i, id := range ids {
		byID[id] = out[i]
	}
	return byID, nil
}

// The panels of a bank's page in the order it shows them.
var (
	bankActivityTiles = []panelSpec[bankIn]{bankVolumePanel, bankSuccessRatePanel, bankP95Panel}
	bankRevenueTiles  = []panelSpec[bankIn]{bankFeesBilledPanel, bankSharePanel, bankMariSharePanel, bankLicensingPanel, bankRevenuePanel}
	bankCharts        = []panelSpec[bankIn]{bankVolumeChartPanel, bankFeesChartPanel}
	bankTables        = []bankTablePanel{bankStatusPanel, bankRecipientsPanel}
)

// bankTablePanel is a table panel of a bank's page: the panel, its CSV's name, and how the page
// heads its columns (the CSV keeps the typed table's machine-readable names).
type bankTablePanel struct {
	spec   panelSpec[bankIn]
	file   string
	help   string // glossary anchor; "" for none
	note   string
	labels []string
	// drill, when set, is the address of the transactions behind a row's count (the cell of
	// column drillColumn), "" for a row without one.
	drill       func(in bankIn, row []any) string
	drillColumn int
}

// bankCSVs are the CSV downloads of a bank's page, by file name, and the panel behind each:
// both monthly charts print the one monthly table.
var bankCSVs = map[string]panelSpec[bankIn]{
	"monthly":    bankVolumeChartPanel,
	"status":     bankStatusPanel.spec,
	"recipients": bankRecipientsPanel.spec,
}

// partnership reads the bank of :code, answering 404 with a clear page when there is none.
func (h *Banks) partnership(c echo.Context) (queries.Partnership, error) {
	code := c.Param("code")
	// Every stored code was made by the form (or the demo data) and fits the pattern: anything
	// else is a mistyped address, answered without asking the database (which would refuse
	// some input, such as a NUL byte, with an error that is not an outage).
	if !bankCodePattern.MatchString(code) {
		return queries.Partnership{}, errBankNotFound{code}
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.opts.PanelTimeout)
	defer cancel()
	p, ok, err := queries.PartnershipByCode(ctx, h.db, code)
	if err != nil {
		h.opts.Log.Warn("partnership unavailable", "code", code, "err", err)
		return p, echo.NewHTTPError(http.StatusServiceUnavailable,
			"The bank's details are unavailable ("+shortReason(err, dbPG, h.opts.PanelTimeout)+"). Try again shortly.")
	}
	if !ok {
		return p, errBankNotFound{code}
	}
	return p, nil
}

type errBankNotFound struct{ code string }

func (e errBankNotFound) Error() string { return "no bank " + e.code }

// notFoundPage renders the 404 for an unknown bank code, naming the code and the way back.
func notFoundPage(c echo.Context, err error) (bool, error) {
	var nf errBankNotFound
	if !errors.As(err, &nf) {
		return false, err
	}
	return true, render(c, http.StatusNotFound, views.ErrorPage(http.StatusNotFound, "Bank not found",
		fmt.Sprintf("There is no bank partnership with the code %q. See the list of banks at /banks.", nf.code)))
}

// Bank serves GET /banks/:code.
func (h *Banks) Bank(c echo.Context) error {
	p, err := h.partnership(c)
	if err != nil {
		_, err = notFoundPage(c, err)
		return err
	}
	now := h.opts.Now()
	rc, err := h.parseRange(c, calendar.Today(now))
	base := "/banks/" + url.PathEscape(p.Code)
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return render(c, http.StatusBadRequest, views.BankInvalid(p.Name, base, bankRangeForm(rc, base, bad.msg, nil)))
		}
		return err
	}
	v := h.bankPage(c.Request().Context(), p, rc, now)
	v.CanEdit = canEditPartnerships(c)
	v.Saved = c.QueryParam("saved")
	return render(c, http.StatusOK, views.BankPage(v))
}

// bankPage loads every panel of p's page for rc as of now.
func (h *Banks) bankPage(ctx context.Context, p queries.Partnership, rc rangeChoice, now time.Time) views.BankDetail {
	in := bankIn{h: h, p: p, rc: rc, now: now, today: calendar.Today(now)}
	all := append(append(append([]panelSpec[bankIn](nil), bankActivityTiles...), bankRevenueTiles...), bankCharts...)
	for _, t := range bankTables {
		all = append(all, t.spec)
	}
	out := run(ctx, &h.panels, in.key(), all, in)
	base := "/banks/" + url.PathEscape(p.Code)
	q := rangeQuery(rc.Range)
	v := views.BankDetail{
		Form:        bankRangeForm(rc, base, "", nil),
		Action:      base,
		Range:       rc.Range,
		Code:        p.Code,
		Name:        p.Name,
		Status:      p.Status,
		EditHref:    base + "/edit",
		GeneratedAt: now.In(calendar.SAST).Format("2 Jan 2006 15:04"),
		Contract:    contractFields(p),
	}
	for _, o := range out[:len(bankActivityTiles)] {
		v.Tiles = append(v.Tiles, o.Tile)
	}
	out = out[len(bankActivityTiles):]
	for _, o := range out[:len(bankRevenueTiles)] {
		v.RevenueTiles = append(v.RevenueTiles, o.Tile)
	}
	out = out[len(bankRevenueTiles):]
	for _, o := range out[:len(bankCharts)] {
		o.Chart.CSVHref = base + "/monthly.csv?" + q
		v.Charts = append(v.Charts, o.Chart)
	}
	out = out[len(bankCharts):]
	for i, t := range bankTables {
		v.Tables = append(v.Tables, bankTableView(in, t, out[i], base+"/"+t.file+".csv?"+q))
	}
	return v
}

// bankTableView shows a table panel's typed rows on the page, each cell in its column's unit.
func bankTableView(in bankIn, t bankTablePanel, o panelOut, csvHref string) views.BankTable {
	v := views.BankTable{Title: t.spec.Title, Note: t.note, CSVHref: csvHref, HelpID: t.help, Header: t.labels,
		Unavailable: o.Chart.Unavailable, Empty: o.Chart.Empty, LinkColumn: -1}
	if t.drill != nil {
		v.LinkColumn = t.drillColumn
	}
	for _, c := range o.Table.Columns {
		v.Numeric = append(v.Numeric, numericUnit(c.Unit))
	}
	for _, row := range o.Table.Rows {
		cells := make([]string, len(row))
		for i, cell := range row {
			cells[i] = showCell(cell, o.Table.Columns[i].Unit)
		}
		v.Rows = append(v.Rows, cells)
		if t.drill != nil {
			v.Links = append(v.Links, t.drill(in, row))
		}
	}
	return v
}

func contractFields(p queries.Partnership) []views.BankField {
	end := "open-ended"
	if p.ContractEnd != nil {
		end = p.ContractEnd.String()
	}
	api := "none"
	if p.APIEndpoint != "" {
		api = p.APIEndpoint
	}
	return []views.BankField{
		{Label: "Bank code", Value: p.Code},
		{Label: "Status", Value: p.Status},
		{Label: "Contract start", Value: p.ContractStart.String()},
		{Label: "Contract end", Value: end},
		{Label: "Monthly licensing fee", Value: views.Rand(p.MonthlyFee)},
		{Label: "Bank's share of the transaction fee", Value: views.Percent(p.BankShare, 2)},
		{Label: "Processing-time SLA (p95)", Value: views.Count(p.SLAP95ms) + " ms"},
		{Label: "API endpoint", Value: api},
		{Label: "Last changed", Value: p.UpdatedAt.In(calendar.SAST).Format("2 Jan 2006 15:04") + " SAST"},
	}
}

// BankCSV serves GET /banks/:code/:file, where :file is monthly, status or recipients with
// .csv or .xlsx: exactly the numbers of that chart or table.
func (h *Banks) BankCSV(c echo.Context) error {
	name, format, ok := downloadFile(c.Param("file"))
	panel, known := bankCSVs[name]
	if !ok || !known {
		return echo.ErrNotFound
	}
	p, err := h.partnership(c)
	if err != nil {
		_, err = notFoundPage(c, err)
		return err
	}
	now := h.opts.Now()
	rc, err := h.parseRange(c, calendar.Today(now))
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			return echo.NewHTTPError(http.StatusBadRequest, bad.msg)
		}
		return err
	}
	in := bankIn{h: h, p: p, rc: rc, now: now, today: calendar.Today(now)}
	o := runOne(c.Request().Context(), &h.panels, in.key(), panel, in)
	if o.Chart.Unavailable != "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "This table's data is unavailable: "+o.Chart.Unavailable+". Try again shortly.")
	}
	filename := fmt.Sprintf("mari-bank-%s-%s-%s-to-%s", p.Code, name, rc.Range.From, rc.Range.To)
	return writeDownload(c, format, filename, o.Table)
}
