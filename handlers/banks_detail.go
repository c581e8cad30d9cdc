package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/metrics"
	"mari/queries"
	"mari/views"
)

// bankData is everything one bank's page shows, one field per independently loaded panel.
type bankData struct {
	rc         rangeChoice
	p          queries.Partnership
	monthly    panel[[]queries.BankMonth]
	statuses   panel[[]queries.BankStatusRow]
	processing panel[queries.BankProcessing]
	recipients panel[[]queries.BankRecipient]
	licensing  panel[decimal.Decimal]
}

// bankPanels name the panels of a bank's page; a CSV download loads only its own.
var bankPanels = map[string]bool{"monthly": true, "status": true, "processing": true, "recipients": true, "licensing": true}

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

func (h *Banks) loadBank(ctx context.Context, rc rangeChoice, p queries.Partnership, want map[string]bool) *bankData {
	d := &bankData{rc: rc, p: p}
	r, code := rc.Range, p.Code
	l := &loader{ctx: ctx, timeout: h.opts.PanelTimeout, log: h.opts.Log}
	if want["monthly"] {
		load(l, "bank monthly", dbPG, &d.monthly, func(ctx context.Context) ([]queries.BankMonth, error) {
			return queries.BankMonthly(ctx, h.db, code, r)
		})
	}
	if want["status"] {
		load(l, "bank statuses", dbPG, &d.statuses, func(ctx context.Context) ([]queries.BankStatusRow, error) {
			return queries.BankStatuses(ctx, h.db, code, r)
		})
	}
	if want["processing"] {
		load(l, "bank processing", dbPG, &d.processing, func(ctx context.Context) (queries.BankProcessing, error) {
			return queries.BankProcessingP95(ctx, h.db, code, r)
		})
	}
	if want["recipients"] {
		load(l, "bank recipients", dbPG, &d.recipients, func(ctx context.Context) ([]queries.BankRecipient, error) {
			return queries.BankTopRecipients(ctx, h.db, code, r)
		})
	}
	if want["licensing"] {
		load(l, "bank licensing", dbPG, &d.licensing, func(ctx context.Context) (decimal.Decimal, error) {
			fees, err := queries.BankLicensingFees(ctx, h.db, r)
			return fees[code], err
		})
	}
	l.wg.Wait()
	return d
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
	d := h.loadBank(c.Request().Context(), rc, p, bankPanels)
	v := views.BankDetail{
		Form:        bankRangeForm(rc, base, "", nil),
		Action:      base,
		Range:       rc.Range,
		Code:        p.Code,
		Name:        p.Name,
		Status:      p.Status,
		CanEdit:     canEditPartnerships(c),
		EditHref:    base + "/edit",
		GeneratedAt: now.In(calendar.SAST).Format("2 Jan 2006 15:04"),
		Contract:    contractFields(p),
	}
	q := rangeQuery(rc.Range)
	v.Saved = c.QueryParam("saved")
	v.Tiles = bankTiles(d)
	for _, ch := range bankCharts {
		cd := ch.data(d)
		v.Charts = append(v.Charts, views.Chart{ID: ch.name, Title: ch.title, Note: cd.Note, Notes: cd.Notes,
			CSVHref: base + "/" + ch.file + ".csv?" + q, Options: cd.Options, Unavailable: cd.Unavailable, Empty: cd.Empty})
	}
	for _, t := range bankTables {
		td := t.data(d)
		var rows [][]string
		for _, r := range td.Table.Rows {
			rows = append(rows, t.show(r))
		}
		v.Tables = append(v.Tables, views.BankTable{Title: t.title, Note: t.note, CSVHref: base + "/" + t.file + ".csv?" + q, HelpID: t.help,
			Header: t.header, Rows: rows, Numeric: t.numeric, Unavailable: td.Unavailable, Empty: td.Empty})
	}
	return render(c, http.StatusOK, views.BankPage(v))
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

// rangeTotals adds the months up: the tiles' figures for the whole range.
func rangeTotals(months []queries.BankMonth) queries.BankMonth {
	var t queries.BankMonth
	for _, m := range months {
		t.Transactions += m.Transactions
		t.Completed += m.Completed
		t.Failed += m.Failed
		t.CompletedVolume = t.CompletedVolume.Add(m.CompletedVolume)
	}
	return t
}

func bankTiles(d *bankData) []views.Tile {
	vol := views.Tile{MetricID: metrics.IDCompletedVolume, Title: "Completed volume"}
	fee := views.Tile{MetricID: metrics.IDBankFeeSplit, Title: "Transaction-fee revenue"}
	succ := views.Tile{MetricID: metrics.IDBankSuccessRate, Title: "Success rate"}
	if !d.monthly.ok() {
		vol.Unavailable, fee.Unavailable, succ.Unavailable = d.monthly.Err, d.monthly.Err, d.monthly.Err
	} else {
		t := rangeTotals(d.monthly.V)
		vol.Value, vol.Exact = views.RandShort(t.CompletedVolume), views.Rand(t.CompletedVolume)
		vol.Lines = []string{views.Count(t.Transactions) + " transactions, " + views.Count(t.Completed) + " completed"}
		s := splitFee(t.Completed, d.p.BankShare)
		fee.Value, fee.Exact = views.Rand(s.Fee), views.Rand(s.Fee)
		fee.Lines = []string{"bank " + views.Rand(s.Bank) + " (" + views.Percent(d.p.BankShare, 2) + ")", "Mari " + views.Rand(s.Mari)}
		rate, ok := successRate(t.Completed, t.Failed)
		succ.Value = pctOrNA(rate, ok)
		succ.Lines = []string{views.Count(t.Completed) + " completed, " + views.Count(t.Failed) + " failed"}
	}
	lic := views.Tile{MetricID: metrics.IDBankLicensing, Title: "Licensing fees"}
	if !d.licensing.ok() {
		lic.Unavailable = d.licensing.Err
	} else {
		lic.Value, lic.Exact = views.Rand(d.licensing.V), views.Rand(d.licensing.V)
		lic.Lines = []string{views.Rand(d.p.MonthlyFee) + " per contract month"}
	}
	sla := views.Tile{MetricID: metrics.IDBankP95, Title: "p95 processing time"}
	if !d.processing.ok() {
		sla.Unavailable = d.processing.Err
	} else {
		pr := d.processing.V
		sla.Target = "SLA ≤ " + views.Count(d.p.SLAP95ms) + " ms"
		if pr.Final == 0 {
			sla.Value, sla.Status = views.NA, "no data"
			sla.Lines = []string{"no final transactions in the range"}
		} else {
			sla.Value = views.Count(pr.P95ms) + " ms"
			sla.Status = slaStatus(pr.P95ms, d.p.SLAP95ms)
			sla.Lines = []string{"of " + views.Count(pr.Final) + " final transactions"}
		}
	}
	return []views.Tile{vol, fee, succ, lic, sla}
}

// slaStatus: the SLA is met when the p95 is at most the agreed milliseconds.
func slaStatus(p95, sla int64) string {
	if p95 <= sla {
		return "met"
	}
	return "missed"
}

// bankChart is one chart of a bank's page; file is its CSV name.
type bankChart struct {
	name, title, file string
	data              func(d *bankData) chartData
}

var bankCharts = []bankChart{
	{name: "bank-volume", title: "Monthly completed volume and transactions", file: "monthly", data: bankVolumeChart},
	{name: "bank-fees", title: "Monthly transaction-fee revenue and its split", file: "monthly", data: bankFeeChart},
}

// bankTableSpec is one table of a bank's page.
type bankTableSpec struct {
	title, note, file string
	help              string   // glossary anchor
	header            []string // as shown; the CSV keeps its machine-readable header
	numeric           []bool
	data              func(d *bankData) chartData
	show              func(row []string) []string // a CSV row as shown on the page
}

// showAmount turns an exact CSV amount into the page's rand format.
func showAmount(s string) string { return views.Rand(decimal.RequireFromString(s)) }

func showCount(s string) string {
	n, _ := decimal.NewFromString(s)
	return views.Count(n.IntPart())
}

var bankTables = []bankTableSpec{
	{title: "Transactions by status", file: "status", note: "Every transaction in the range; failure reasons as the bank reported them.",
		header:  []string{"Status", "Failure reason", "Transactions", "Share", "Amount"},
		numeric: []bool{false, false, true, true, true}, data: bankStatusTable,
		show: func(r []string) []string {
			return []string{r[0], r[1], showCount(r[2]), views.Percent(decimal.RequireFromString(r[3]), 2), showAmount(r[4])}
		}},
	{title: "Top 20 recipients", file: "recipients", help: metrics.IDBankRecipients, note: "Recipients of completed transactions through this bank in the range, by number of transactions (ties: larger volume first).",
		header:  []string{"#", "Recipient (blood hash)", "Transactions", "Volume", "Average"},
		numeric: []bool{true, false, true, true, true}, data: bankRecipientsTable,
		show: func(r []string) []string {
			return []string{r[0], r[1], showCount(r[2]), showAmount(r[3]), showAmount(r[4])}
		}},
}

// bankFiles are the CSV downloads of a bank's page and the data behind each.
var bankFiles = map[string]struct {
	needs string
	data  func(d *bankData) chartData
}{
	"monthly":    {"monthly", bankMonthlyTable},
	"status":     {"status", bankStatusTable},
	"recipients": {"recipients", bankRecipientsTable},
}

// bankMonthlyTable is the numbers behind both monthly charts.
func bankMonthlyTable(d *bankData) chartData {
	var cd chartData
	if !d.monthly.ok() {
		cd.Unavailable = d.monthly.Err
		return cd
	}
	cd.Table.Header = []string{"month", "from", "to", "transactions", "completed", "failed", "success_rate",
		"completed_volume", "transaction_fees", "bank_share", "mari_share"}
	r := d.rc.Range
	for _, m := range d.monthly.V {
		from, to := m.Month, m.Month.MonthEnd()
		if from.Before(r.From) {
			from = r.From
		}
		if to.After(r.To) {
			to = r.To
		}
		s := splitFee(m.Completed, d.p.BankShare)
		rate, ok := successRate(m.Completed, m.Failed)
		cd.Table.Rows = append(cd.Table.Rows, []string{m.Month.MonthKey(), from.String(), to.String(),
			fmt.Sprint(m.Transactions), fmt.Sprint(m.Completed), fmt.Sprint(m.Failed), fracOrNA(rate, ok),
			exact(m.CompletedVolume), exact(s.Fee), exact(s.Bank), exact(s.Mari)})
	}
	return cd
}

func monthLabels(months []queries.BankMonth) []string {
	out := make([]string, len(months))
	for i, m := range months {
		out[i] = m.Month.MonthLabel()
	}
	return out
}

func noTransactions(months []queries.BankMonth) bool {
	return rangeTotals(months).Transactions == 0
}

func bankVolumeChart(d *bankData) chartData {
	cd := bankMonthlyTable(d)
	if cd.Unavailable != "" {
		return cd
	}
	if noTransactions(d.monthly.V) {
		cd.Empty = "No transactions through this bank in the range."
		return cd
	}
	var vol, txs []any
	for _, m := range d.monthly.V {
		vol = append(vol, num(m.CompletedVolume))
		txs = append(txs, m.Transactions)
	}
	o := baseOptions(monthLabels(d.monthly.V))
	o["yAxis"] = []any{randAxis("Completed volume", false), countAxis("Transactions", true)}
	o["series"] = []any{
		map[string]any{"name": "Completed volume", "type": "bar", "data": vol, "tooltip": randTooltip()},
		map[string]any{"name": "Transactions", "type": "line", "yAxisIndex": 1, "data": txs, "tooltip": countTooltip()},
	}
	cd.Options = o
	cd.Note = "Months cut by the range count only the days inside it. Success rate per month is in the CSV (n/a for a month without final transactions)."
	return cd
}

func bankFeeChart(d *bankData) chartData {
	cd := bankMonthlyTable(d)
	if cd.Unavailable != "" {
		return cd
	}
	if noTransactions(d.monthly.V) {
		cd.Empty = "No transactions through this bank in the range, so no fee revenue."
		return cd
	}
	var bank, mari []any
	for _, m := range d.monthly.V {
		s := splitFee(m.Completed, d.p.BankShare)
		bank = append(bank, num(s.Bank))
		mari = append(mari, num(s.Mari))
	}
	o := baseOptions(monthLabels(d.monthly.V))
	o["yAxis"] = []any{randAxis("Fee revenue", false)}
	o["series"] = []any{
		map[string]any{"name": "Mari's share", "type": "bar", "stack": "fee", "data": mari, "tooltip": randTooltip()},
		map[string]any{"name": "Bank's share", "type": "bar", "stack": "fee", "data": bank, "tooltip": randTooltip()},
	}
	cd.Options = o
	cd.Note = fmt.Sprintf("R%s per completed transaction; the bank's share is %s.", metrics.TransactionFee.StringFixed(2), views.Percent(d.p.BankShare, 2))
	return cd
}

func bankStatusTable(d *bankData) chartData {
	var cd chartData
	if !d.statuses.ok() {
		cd.Unavailable = d.statuses.Err
		return cd
	}
	var total int64
	for _, s := range d.statuses.V {
		total += s.Count
	}
	cd.Table.Header = []string{"status", "failure_reason", "transactions", "share", "amount"}
	for _, s := range d.statuses.V {
		share, _ := metrics.RatioInt(s.Count, total)
		cd.Table.Rows = append(cd.Table.Rows, []string{strings.ToLower(s.Status), s.FailureReason,
			fmt.Sprint(s.Count), share.StringFixed(4), exact(s.Amount)})
	}
	if len(cd.Table.Rows) == 0 {
		cd.Empty = "No transactions through this bank in the range."
	}
	return cd
}

func bankRecipientsTable(d *bankData) chartData {
	var cd chartData
	if !d.recipients.ok() {
		cd.Unavailable = d.recipients.Err
		return cd
	}
	cd.Table.Header = []string{"rank", "blood_hash", "transactions", "volume", "average"}
	for i, r := range d.recipients.V {
		cd.Table.Rows = append(cd.Table.Rows, []string{fmt.Sprint(i + 1), r.BloodHash, fmt.Sprint(r.Transactions),
			exact(r.Volume), exact(r.Average)})
	}
	if len(cd.Table.Rows) == 0 {
		cd.Empty = "No completed transactions through this bank in the range."
	}
	return cd
}

// BankCSV serves GET /banks/:code/:file, where :file is monthly.csv, status.csv or
// recipients.csv: exactly the numbers of that chart or table.
func (h *Banks) BankCSV(c echo.Context) error {
	name, ok := strings.CutSuffix(c.Param("file"), ".csv")
	f, known := bankFiles[name]
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
	d := h.loadBank(c.Request().Context(), rc, p, map[string]bool{f.needs: true})
	cd := f.data(d)
	if cd.Unavailable != "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "This table's data is unavailable: "+cd.Unavailable+". Try again shortly.")
	}
	filename := fmt.Sprintf("mari-bank-%s-%s-%s-to-%s.csv", p.Code, name, rc.Range.From, rc.Range.To)
	return writeCSV(c, filename, cd.Table)
}
