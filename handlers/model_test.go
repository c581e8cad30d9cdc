package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"mari/auth"
	"mari/dbtest"
	"mari/finmodel"
	"mari/queries"
)

// modelServer serves the financial-model routes as the executive account id/email would use
// them (the route matrix in web/ checks who may use which route).
func modelServer(db *dbtest.DB, id int64, email string) *echo.Echo {
	h := NewModel(db.PG, ModelOptions{Now: func() time.Time { return testNow }})
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			auth.SetCurrent(c, auth.Account{ID: id, Email: email, Role: auth.RoleExecutive})
			return next(c)
		}
	})
	e.GET("/model", h.List)
	e.GET("/model/compare", h.Compare)
	e.POST("/model/import", h.Import)
	e.GET("/model/:id", h.Editor)
	e.POST("/model/:id", h.Save)
	e.POST("/model/:id/preview", h.Preview)
	e.POST("/model/:id/clone", h.Clone)
	e.GET("/model/:id/history", h.History)
	e.POST("/model/:id/restore/:version", h.Restore)
	e.GET("/model/:id/sensitivity", h.Sensitivity)
	e.GET("/model/:id/actuals", h.Actuals)
	e.POST("/model/:id/reforecast", h.Reforecast)
	e.GET("/model/:id/:file", h.File)
	return e
}

// seedForm is the editor's form for the seed plan's assumptions at version, as the page
// would post it.
func seedForm(version string) url.Values {
	f := url.Values{"name": {"Base case"}, "description": {""}, "version": {version}, "years": {"5"}, "view": {"yearly"}}
	for i, y := range finmodel.SeedPlan().Years {
		for _, dr := range finmodel.Drivers {
			f.Set(fieldName(i+1, dr.Key), dr.Format(dr.Get(y)))
		}
	}
	return f
}

func wantStatus(t *testing.T, res *http.Response, body string, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("status %d, want %d\n%s", res.StatusCode, want, body)
	}
}

func storedScenario(t *testing.T, db *dbtest.DB, id int64) queries.Scenario {
	t.Helper()
	s, ok, err := queries.ScenarioByID(context.Background(), db.PG, id)
	if err != nil || !ok {
		t.Fatalf("scenario %d: %v %v", id, ok, err)
	}
	return s
}

// cloneSeed clones the seed plan as "Base case" and returns its id (1 on a fresh database).
func cloneSeed(t *testing.T, e *echo.Echo) {
	t.Helper()
	res, body := postForm(t, e, "/model/seed/clone", url.Values{"name": {"Base case"}})
	wantStatus(t, res, body, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/model/1?saved=new" {
		t.Fatalf("clone went to %q", loc)
	}
}

// Save, history and restore, with the numbers worked out by hand. Raising year 3's users from
// 1 750 000 to 2 000 000: transactions 2 000 000 × 20 × 12 = 480 000 000, transaction revenue
// R48 000 000 + licensing 5 × 50 000 × 12 = R3 000 000 → revenue R51 000 000; costs team
// 50 × 600 000 = 30 000 000 + infrastructure 2 000 000 × 6 = 12 000 000 + marketing 20 000 000
// + compliance 5 000 000 = R67 000 000; operating profit −R16 000 000 (seed: −R20 500 000).
func TestModelSaveHistoryAndRestore(t *testing.T) {
	db := dbtest.New(t)
	e := modelServer(db, 7, "ceo@mari.example")
	cloneSeed(t, e)

	form := seedForm("1")
	form.Set("y3.users", "2 000 000")
	res, body := postForm(t, e, "/model/1", form)
	wantStatus(t, res, body, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/model/1?saved=2" {
		t.Errorf("save went to %q", loc)
	}
	s := storedScenario(t, db, 1)
	if s.Version != 2 || s.Assumptions.Years[2].Users.String() != "2000000" {
		t.Fatalf("after the save: version %d, year 3 users %s", s.Version, s.Assumptions.Years[2].Users)
	}
	// Decimals are stored as JSON strings, never floats.
	var kind, fee string
	if err := db.PG.QueryRow(context.Background(), `SELECT jsonb_typeof(assumptions->'years'->2->'users'),
		assumptions->'years'->0->>'fee_per_transaction' FROM model_scenarios WHERE id = 1`).Scan(&kind, &fee); err != nil {
		t.Fatal(err)
	}
	if kind != "string" || fee != "0.1" {
		t.Errorf("stored users as %s, fee %q; want JSON strings", kind, fee)
	}

	_, csvBody := get(t, e, "/model/1/results.csv")
	rows := csvByKey(t, readCSV(t, csvBody), 0)
	for col, want := range map[string]string{"total_revenue": "51000000.00", "total_costs": "67000000.00",
		"operating_profit": "-16000000.00", "cumulative_operating_profit": "-35700000.00"} {
		if got := rows["3"][col]; got != want {
			t.Errorf("year 3 %s = %s, want %s", col, got, want)
		}
	}

	_, page := get(t, e, "/model/1/history")
	for _, s := range []string{"Year 3 active users 1 750 000 → 2 000 000", "ceo@mari.example", "cloned from Seed plan", "2026-03-15 10:00"} {
		if !strings.Contains(page, s) {
			t.Errorf("history does not show %q", s)
		}
	}

	// Restore version 1 from a page that showed version 2.
	res, body = postForm(t, e, "/model/1/restore/1", url.Values{"version": {"2"}})
	wantStatus(t, res, body, http.StatusSeeOther)
	s = storedScenario(t, db, 1)
	if s.Version != 3 || s.Assumptions.Years[2].Users.String() != "1750000" {
		t.Errorf("after the restore: version %d, year 3 users %s", s.Version, s.Assumptions.Years[2].Users)
	}
	_, page = get(t, e, "/model/1/history")
	if !strings.Contains(page, "restored version 1: Year 3 active users 2 000 000 → 1 750 000") {
		t.Errorf("history does not describe the restore:\n%s", page)
	}
	if n := countRows(t, db, `SELECT count(*) FROM model_scenario_versions WHERE scenario_id = 1`); n != 3 {
		t.Errorf("%d versions, want 3", n)
	}
	for action, want := range map[string]int{"scenario_created": 1, "scenario_saved": 1, "scenario_restored": 1} {
		if n := countRows(t, db, `SELECT count(*) FROM audit_log WHERE action = $1 AND target = 'scenario 1 (Base case)'`, action); n != want {
			t.Errorf("%d audit entries %s, want %d", n, action, want)
		}
	}

	// Saving the same values again changes nothing and writes nothing.
	res, body = postForm(t, e, "/model/1", seedForm("3"))
	wantStatus(t, res, body, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/model/1?saved=unchanged" {
		t.Errorf("an unchanged save went to %q", loc)
	}
	// The seed plan itself cannot be saved.
	res, body = postForm(t, e, "/model/seed", seedForm("0"))
	wantStatus(t, res, body, http.StatusBadRequest)
	// Names are unique regardless of case.
	res, body = postForm(t, e, "/model/seed/clone", url.Values{"name": {"BASE CASE"}})
	wantStatus(t, res, body, http.StatusBadRequest)
	if !strings.Contains(body, "already exists") {
		t.Errorf("a taken name is not explained")
	}
}

// Two executives open version 1 and both save: the second is told who saved what and when,
// keeps what they typed, and nothing of theirs is written.
func TestModelConcurrentSaveIsRefused(t *testing.T) {
	db := dbtest.New(t)
	ana := modelServer(db, 7, "ana@mari.example")
	ben := modelServer(db, 8, "ben@mari.example")
	cloneSeed(t, ana)

	first := seedForm("1")
	first.Set("y1.users", "400000")
	res, body := postForm(t, ana, "/model/1", first)
	wantStatus(t, res, body, http.StatusSeeOther)

	second := seedForm("1") // loaded before Ana saved
	second.Set("y2.marketing", "12345678")
	res, body = postForm(t, ben, "/model/1", second)
	wantStatus(t, res, body, http.StatusConflict)
	for _, s := range []string{"Nothing was saved", "You started from version 1; it is now at version 2",
		"Version 2, saved by ana@mari.example on 2026-03-15 10:00 SAST: Year 1 active users 350 000 → 400 000", `value="12345678"`} {
		if !strings.Contains(body, s) {
			t.Errorf("the conflict page does not show %q", s)
		}
	}
	s := storedScenario(t, db, 1)
	if s.Version != 2 || s.Assumptions.Years[1].Marketing.String() != "10000000" || s.Assumptions.Years[0].Users.String() != "400000" {
		t.Errorf("after the refused save: version %d, year 2 marketing %s, year 1 users %s", s.Version, s.Assumptions.Years[1].Marketing, s.Assumptions.Years[0].Users)
	}
	if n := countRows(t, db, `SELECT count(*) FROM model_scenario_versions`); n != 2 {
		t.Errorf("%d versions, want 2", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_log WHERE action = 'scenario_saved'`); n != 1 {
		t.Errorf("%d save audit entries, want 1", n)
	}
	// The refused form now carries version 2, so Ben's informed second save goes through.
	if !strings.Contains(body, `name="version" value="2"`) {
		t.Fatalf("the conflict page does not carry the current version")
	}
	second.Set("version", "2")
	res, body = postForm(t, ben, "/model/1", second)
	wantStatus(t, res, body, http.StatusSeeOther)
	if s := storedScenario(t, db, 1); s.Version != 3 || s.Assumptions.Years[1].Marketing.String() != "12345678" {
		t.Errorf("the informed save: version %d, marketing %s", s.Version, s.Assumptions.Years[1].Marketing)
	}
	// A restore from a stale page is refused the same way.
	res, body = postForm(t, ana, "/model/1/restore/1", url.Values{"version": {"2"}})
	wantStatus(t, res, body, http.StatusConflict)
	if s := storedScenario(t, db, 1); s.Version != 3 {
		t.Errorf("a stale restore wrote version %d", s.Version)
	}
}

var errorNextTo = func(field string) *regexp.Regexp {
	return regexp.MustCompile(`id="in-` + regexp.QuoteMeta(field) + `"[^>]*>\s*<span class="field-error" role="alert" id="err-` + regexp.QuoteMeta(field) + `"[^>]*>([^<]*)</span>`)
}

// Bad input: every problem is shown next to its field, nothing is saved, and the results on
// the page are those of the last saved version.
func TestModelBadInputIsRefusedFieldByField(t *testing.T) {
	db := dbtest.New(t)
	e := modelServer(db, 7, "ceo@mari.example")
	cloneSeed(t, e)
	form := seedForm("1")
	bad := map[string]string{
		"y1.users":                        "-5",
		"y2.tx_per_user_per_month":        "abc",
		"y3.fee_per_transaction":          "NaN",
		"y4.marketing":                    "Infinity",
		"y5.banks":                        "99999999999",
		"y2.compliance":                   "",
		"y1.licensing_per_bank_per_month": "1e6",
	}
	for k, v := range bad {
		form.Set(k, v)
	}
	res, body := postForm(t, e, "/model/1", form)
	wantStatus(t, res, body, http.StatusBadRequest)
	want := map[string]string{
		"y1.users":                        "Cannot be negative.",
		"y2.tx_per_user_per_month":        "&#34;abc&#34; is not a number (use digits and one decimal point).",
		"y3.fee_per_transaction":          "&#34;NaN&#34; is not a number (use digits and one decimal point).",
		"y4.marketing":                    "&#34;Infinity&#34; is not a number (use digits and one decimal point).",
		"y5.banks":                        "99999999999 is beyond the sane maximum of 1000 banks; check for extra zeros.",
		"y2.compliance":                   "Enter a number.",
		"y1.licensing_per_bank_per_month": "&#34;1e6&#34; is not a number (use digits and one decimal point).",
	}
	for field, msg := range want {
		m := errorNextTo(field).FindStringSubmatch(body)
		if m == nil || m[1] != msg {
			t.Errorf("%s: message %q, want %q", field, m, msg)
		}
	}
	if !strings.Contains(body, "Please fix the fields marked below; nothing was saved.") || !strings.Contains(body, `value="-5"`) {
		t.Errorf("the page does not explain the refusal or lost the typed value")
	}
	// The last good results stay: year 1 revenue of the seed plan.
	if !strings.Contains(body, `id="res-y1-total_revenue" title="9000000.00"`) {
		t.Errorf("the results are not the last saved ones")
	}
	if s := storedScenario(t, db, 1); s.Version != 1 {
		t.Errorf("a refused save wrote version %d", s.Version)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_log WHERE action = 'scenario_saved'`); n != 0 {
		t.Errorf("a refused save was audited")
	}
	// An empty year and a missing year count are refused too.
	empty := seedForm("1")
	for _, dr := range finmodel.Drivers {
		empty.Set(fieldName(4, dr.Key), "")
	}
	res, body = postForm(t, e, "/model/1", empty)
	wantStatus(t, res, body, http.StatusBadRequest)
	if !strings.Contains(body, "Year 4 is empty: fill in every assumption of the year.") {
		t.Errorf("an empty year is not explained")
	}
	noYears := seedForm("1")
	noYears.Del("years")
	res, body = postForm(t, e, "/model/1", noYears)
	wantStatus(t, res, body, http.StatusBadRequest)

	// The live preview answers the same messages as JSON and computes valid input exactly.
	var p previewResponse
	res, body = postForm(t, e, "/model/1/preview", form)
	wantStatus(t, res, body, http.StatusOK)
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	if p.OK || p.Errors["y1.users"] != "Cannot be negative." || len(p.Errors) != len(bad) || p.ResultsHTML != "" {
		t.Errorf("invalid preview: %+v", p)
	}
	good := seedForm("1")
	good.Set("y1.users", "700000") // year 1 revenue 700 000 × 20 × 12 × 0.10 + 600 000 = 17 400 000
	res, body = postForm(t, e, "/model/1/preview", good)
	wantStatus(t, res, body, http.StatusOK)
	p = previewResponse{}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	if !p.OK || !strings.Contains(p.ResultsHTML, `id="res-y1-total_revenue" title="17400000.00"`) || p.Charts["chart-model-revenue-costs"] == nil || p.Charts["chart-model-profit"] == nil {
		t.Errorf("valid preview: ok=%v charts=%d\n%s", p.OK, len(p.Charts), p.ResultsHTML)
	}
	if s := storedScenario(t, db, 1); s.Version != 1 {
		t.Errorf("a preview wrote version %d", s.Version)
	}
}

func postFile(t *testing.T, e *echo.Echo, target, name, filename, content string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("name", name)
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(fw, content)
	_ = w.Close()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, target, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	e.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// The assumptions CSV of the seed plan imports back as an identical scenario; the workbook
// opens in excelize with both sheets and the seed's exact figures.
func TestModelCSVRoundTripAndWorkbook(t *testing.T) {
	db := dbtest.New(t)
	e := modelServer(db, 7, "ceo@mari.example")
	res, csvBody := get(t, e, "/model/seed/assumptions.csv")
	wantStatus(t, res, csvBody, http.StatusOK)
	if !strings.HasPrefix(csvBody, "year,users,tx_per_user_per_month,fee_per_transaction,") || !strings.Contains(csvBody, "\n3,1750000,20,0.10,5,50000.00,50,600000.00,6.00,20000000.00,5000000.00\n") {
		t.Errorf("assumptions CSV:\n%s", csvBody)
	}
	res, body := postFile(t, e, "/model/import", "Imported seed", "seed.csv", csvBody)
	wantStatus(t, res, body, http.StatusSeeOther)
	s := storedScenario(t, db, 1)
	if ch := finmodel.Changes(finmodel.SeedPlan(), s.Assumptions); len(ch) != 0 || s.Version != 1 {
		t.Errorf("the imported plan differs from the seed: %v", ch)
	}

	res, body = get(t, e, "/model/1/scenario.xlsx")
	wantStatus(t, res, body, http.StatusOK)
	f, err := excelize.OpenReader(strings.NewReader(body), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := strings.Join(f.GetSheetList(), ","); sheets != "Assumptions,Results,Monthly" {
		t.Errorf("sheets %s", sheets)
	}
	for _, c := range []struct{ sheet, cell, want string }{
		{"Assumptions", "A1", "Imported seed (version 1)"},
		{"Assumptions", "H4", "5250000"},   // year 5 users
		{"Results", "F2", "9000000.00"},    // year 1 revenue
		{"Results", "K6", "141500000.00"},  // year 5 costs
		{"Results", "L4", "-20500000.00"},  // year 3 operating profit
		{"Results", "N2", "-67.78"},        // year 1 operating margin
		{"Monthly", "H13", "750000.00"},    // month 12 revenue
		{"Monthly", "L61", "833333.37"},    // month 60 compliance: 10 000 000 − 11 × 833 333.33
		{"Monthly", "N61", "-791666.74"},   // month 60 operating profit, from the remainder lines
		{"Monthly", "O61", "-63900000.00"}, // cumulative at the end
	} {
		got, err := f.GetCellValue(c.sheet, c.cell)
		if err != nil || got != c.want {
			t.Errorf("%s!%s = %q (%v), want %q", c.sheet, c.cell, got, err, c.want)
		}
	}
}

// A file with bad rows is refused with every problem listed by row, year and column, and
// nothing is saved.
func TestModelImportReportsRowErrors(t *testing.T) {
	db := dbtest.New(t)
	e := modelServer(db, 7, "ceo@mari.example")
	header, rows := finmodel.AssumptionsTable(finmodel.SeedPlan())
	rows[2][1] = "-1750000"
	rows[3][3] = "ten cents"
	var b strings.Builder
	b.WriteString(strings.Join(header, ",") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	res, body := postFile(t, e, "/model/import", "Broken", "broken.csv", b.String())
	wantStatus(t, res, body, http.StatusBadRequest)
	for _, s := range []string{"The file has 2 problem(s)", "Nothing was saved", "row 4, year 3, users: cannot be negative",
		"row 5, year 4, fee_per_transaction: &#34;ten cents&#34; is not a number"} {
		if !strings.Contains(body, s) {
			t.Errorf("the refusal does not say %q", s)
		}
	}
	if n := countRows(t, db, `SELECT count(*) FROM model_scenarios`); n != 0 {
		t.Errorf("%d scenarios stored after a refused import", n)
	}
	res, body = postFile(t, e, "/model/import", "Empty", "empty.csv", "")
	wantStatus(t, res, body, http.StatusBadRequest)
}

// Plan against actuals on a hand-built rollup. Launch is January 2026 (the only sign-up);
// today is 15 March 2026. The plan: 1 000 users × 10 transactions × R0.10, nothing else, so
// every plan month is 1 000 users, 10 000 transactions and R1 000.00 billed (the seed's model
// has no bank share, so it is compared with fees billed + licensing). No transaction went
// through a bank, so Mari's revenue equals what was billed. ALPHA's R20 fee accrues from
// 1 February: all of February, and 15/31 of it in March to date = 9.68.
//
//	month   MAU    completed  fees billed  licensing  billed    variance
//	Jan     1 000  10 000     1 000.00      0.00      1 000.00  0, 0, 0                     within
//	Feb     1 060   9 600       960.00     20.00        980.00  +6.00%, −4.00%, −2.00%      outside (users)
//	Mar       500     100        10.00      9.68         19.68  month to date: never judged
func TestModelPlanAgainstActuals(t *testing.T) {
	db := dbtest.New(t)
	db.Exec(t, `INSERT INTO users (id, phone_number_hash, blood_hash, device_public_key, created_at, last_active)
		VALUES ($1, 'phone-a', 'blood-a', 'key', $2, $2)`, uid("a"), dbtest.SAST("2026-01-10 09:00:00"))
	db.Exec(t, `INSERT INTO bank_partnerships (bank_name, bank_code, status, contract_start_date, monthly_fee,
			transaction_fee_percentage, sla_p95_ms) VALUES ('Alpha Bank', 'ALPHA', 'active', '2026-02-01', 20.00, 0.3, 2000)`)
	db.Exec(t, `INSERT INTO daily_metrics (date, total_transactions, successful_transactions, failed_transactions,
			pending_transactions, fraud_transactions, total_volume, transaction_revenue, active_users, mtd_active_users,
			mtd_retained_users, new_users, total_users, churned_users, day_complete)
		SELECT d::date, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, true
		FROM generate_series('2026-01-01'::date, '2026-03-14'::date, interval '1 day') AS d`)
	for _, u := range []struct {
		day     string
		tx      int
		revenue string
		mau     int
	}{{"2026-01-01", 10000, "1000.00", 10}, {"2026-01-31", 0, "0", 1000}, {"2026-02-01", 9600, "980.00", 5}, {"2026-02-28", 0, "0", 1060}, {"2026-03-14", 100, "10.00", 500}} {
		db.Exec(t, `UPDATE daily_metrics SET total_transactions = $2, successful_transactions = $2, transaction_revenue = $3,
			mtd_active_users = $4 WHERE date = $1`, u.day, u.tx, u.revenue, u.mau)
	}
	e := modelServer(db, 7, "ceo@mari.example")
	plan := "year,users,tx_per_user_per_month,fee_per_transaction,banks,licensing_per_bank_per_month,team_size,cost_per_person_per_year,infra_per_user_per_year,marketing,compliance\n" +
		"1,1000,10,0.10,0,0,0,0,0,0,0\n2,2000,10,0.10,0,0,0,0,0,0,0\n"
	res, body := postFile(t, e, "/model/import", "Small plan", "small.csv", plan)
	wantStatus(t, res, body, http.StatusSeeOther)

	res, body = get(t, e, "/model/1/actuals.csv")
	wantStatus(t, res, body, http.StatusOK)
	got := readCSV(t, body)
	want := [][]string{
		{"2026-01", "1", "yes", "1000", "1000", "0", "0.00", "10000", "10000", "0", "0.00", "1000.00", "1000.00", "0.00", "0.00", "1000.00", "no"},
		{"2026-02", "2", "yes", "1000", "1060", "60", "6.00", "10000", "9600", "-400", "-4.00", "1000.00", "980.00", "-20.00", "-2.00", "980.00", "yes"},
		{"2026-03", "3", "no", "1000", "500", "-500", "-50.00", "10000", "100", "-9900", "-99.00", "1000.00", "19.68", "-980.32", "-98.03", "19.68", "no"},
	}
	if len(got) != len(want)+1 {
		t.Fatalf("%d rows:\n%s", len(got), body)
	}
	for i, w := range want {
		if strings.Join(got[i+1], ",") != strings.Join(w, ",") {
			t.Errorf("row %d:\n got %v\nwant %v", i+1, got[i+1], w)
		}
	}
	_, page := get(t, e, "/model/1/actuals")
	for _, s := range []string{"1 of 2 complete months within ±5% of the plan", "outside ±5%", "month to date, not judged", "Jan 2026"} {
		if !strings.Contains(page, s) {
			t.Errorf("the page does not show %q", s)
		}
	}

	// Re-forecast from February (plan month 2, year 1): users × 1 060 ÷ 1 000 = 1.06 →
	// 1 060 and 2 120; transactions per user × (9 600 ÷ 1 060) ÷ 10 = 0.90566… → 9.06 both years.
	res, body = postForm(t, e, "/model/1/reforecast", url.Values{"name": {"Small plan re-forecast"}})
	wantStatus(t, res, body, http.StatusSeeOther)
	s := storedScenario(t, db, 2)
	if s.Assumptions.Years[0].Users.String() != "1060" || s.Assumptions.Years[1].Users.String() != "2120" ||
		s.Assumptions.Years[0].TxPerUserPerMonth.String() != "9.06" || s.Assumptions.Years[1].TxPerUserPerMonth.String() != "9.06" {
		t.Errorf("re-forecast: %+v", s.Assumptions.Years)
	}
	if !strings.Contains(s.BasedOn, "re-forecast of Small plan (scenario 1, version 1) from actuals to Feb 2026") {
		t.Errorf("based on %q", s.BasedOn)
	}
}

// Compare highlights what differs from the baseline; sensitivity lists the drivers by impact.
func TestModelCompareAndSensitivityPages(t *testing.T) {
	db := dbtest.New(t)
	e := modelServer(db, 7, "ceo@mari.example")
	cloneSeed(t, e)
	form := seedForm("1")
	form.Set("y5.marketing", "50000000")
	res, body := postForm(t, e, "/model/1", form)
	wantStatus(t, res, body, http.StatusSeeOther)

	res, body = get(t, e, "/model/compare?s=seed&s=1")
	wantStatus(t, res, body, http.StatusOK)
	for _, s := range []string{"Seed plan (baseline)", `class="num diff" title="-19500000.00">-R` + "\u00a0" + `19` + "\u00a0" + `500` + "\u00a0" + `000.00 (−R` + "\u00a0" + `10` + "\u00a0" + `000` + "\u00a0" + `000.00)`, "Year 5 Marketing"} {
		if !strings.Contains(body, s) {
			t.Errorf("compare does not show %q", s)
		}
	}
	if strings.Contains(body, "Year 4 Marketing") {
		t.Errorf("compare lists an assumption that does not differ")
	}
	res, body = get(t, e, "/model/compare?s=seed&s=nosuch")
	wantStatus(t, res, body, http.StatusBadRequest)

	res, body = get(t, e, "/model/seed/sensitivity")
	wantStatus(t, res, body, http.StatusOK)
	res, body = get(t, e, "/model/seed/sensitivity.csv")
	wantStatus(t, res, body, http.StatusOK)
	rows := readCSV(t, body)
	// Year 5 of the seed: transactions per user and the fee each move transaction revenue
	// (R126M) by ±R25.2M at ±20% (swing R50.4M, ties in the editor's order); users move it
	// by ±R25.2M but infrastructure (R31.5M) with it by ±R6.3M: ±R18.9M. Team (R60M) swings
	// R24M, marketing (R40M) R16M, and a cost's +20% lowers profit.
	wantOrder := []struct{ key, minus20, plus20 string }{
		{"tx_per_user_per_month", "-25200000.00", "25200000.00"},
		{"fee_per_transaction", "-25200000.00", "25200000.00"},
		{"users", "-18900000.00", "18900000.00"},
		{"team_size", "12000000.00", "-12000000.00"},
	}
	for i, w := range wantOrder {
		r := rows[i+1]
		if r[0] != w.key || r[1] != w.minus20 || r[4] != w.plus20 {
			t.Errorf("sensitivity row %d = %v, want %s %s … %s", i+1, r[:5], w.key, w.minus20, w.plus20)
		}
	}
}

// "Add a year" copies the last year into the form without saving; saving the longer plan
// records the new year in the history.
func TestModelAddAndRemoveYears(t *testing.T) {
	db := dbtest.New(t)
	e := modelServer(db, 7, "ceo@mari.example")
	cloneSeed(t, e)
	form := seedForm("1")
	form.Set("resize", "add")
	res, body := postForm(t, e, "/model/1", form)
	wantStatus(t, res, body, http.StatusOK)
	if !strings.Contains(body, `id="in-y6.users" name="y6.users" value="5 250 000"`) || !strings.Contains(body, `name="years" value="6"`) {
		t.Fatalf("the form has no year 6 copied from year 5")
	}
	if s := storedScenario(t, db, 1); s.Version != 1 {
		t.Fatalf("adding a year to the form saved version %d", s.Version)
	}
	form.Del("resize")
	form.Set("years", "6")
	for _, dr := range finmodel.Drivers {
		form.Set(fieldName(6, dr.Key), form.Get(fieldName(5, dr.Key)))
	}
	form.Set("y6.users", "7000000")
	res, body = postForm(t, e, "/model/1", form)
	wantStatus(t, res, body, http.StatusSeeOther)
	s := storedScenario(t, db, 1)
	if len(s.Assumptions.Years) != 6 || s.Assumptions.Years[5].Users.String() != "7000000" {
		t.Fatalf("saved %d years", len(s.Assumptions.Years))
	}
	_, page := get(t, e, "/model/1/history")
	if !strings.Contains(page, "Year 6 added") {
		t.Errorf("the history does not record the new year")
	}
	form.Set("version", "2")
	form.Set("resize", "remove")
	res, body = postForm(t, e, "/model/1", form)
	wantStatus(t, res, body, http.StatusOK)
	if strings.Contains(body, `name="y6.users"`) || !strings.Contains(body, "Year 6 removed from the form") {
		t.Errorf("removing the last year did not drop it from the form")
	}
}

// Input PostgreSQL cannot store or hold (NUL, invalid UTF-8, a version beyond integer, a very
// long upload name) is refused as bad input or stored shortened: never a 500, nothing half
// written.
func TestModelUnstorableInputIsRefused(t *testing.T) {
	db := dbtest.New(t)
	e := modelServer(db, 7, "ceo@mari.example")
	cloneSeed(t, e)

	form := seedForm("1")
	form.Set("name", "Base\x00case")
	res, body := postForm(t, e, "/model/1", form)
	wantStatus(t, res, body, http.StatusBadRequest)
	if !strings.Contains(body, `id="err-name">The name has a character that cannot be stored`) {
		t.Errorf("no message next to the name")
	}
	form = seedForm("1")
	form.Set("description", "bad \xff text")
	res, body = postForm(t, e, "/model/1", form)
	wantStatus(t, res, body, http.StatusBadRequest)
	if !strings.Contains(body, "The description has a character that cannot be stored") {
		t.Errorf("the description's problem is not shown")
	}
	res, body = postForm(t, e, "/model/seed/clone", url.Values{"name": {"Copy\x00"}})
	wantStatus(t, res, body, http.StatusBadRequest)

	// A version beyond PostgreSQL's integer is an unknown version: a conflict, not a crash.
	res, body = postForm(t, e, "/model/1", seedForm("99999999999"))
	wantStatus(t, res, body, http.StatusConflict)
	res, body = postForm(t, e, "/model/1/restore/1", url.Values{"version": {"99999999999"}})
	wantStatus(t, res, body, http.StatusBadRequest)
	res, body = postForm(t, e, "/model/1/restore/99999999999", url.Values{"version": {"1"}})
	wantStatus(t, res, body, http.StatusBadRequest)
	if s := storedScenario(t, db, 1); s.Version != 1 || s.Name != "Base case" {
		t.Errorf("after refused posts: version %d, name %q", s.Version, s.Name)
	}

	// The upload's name is the browser's to choose: a long or garbled one is recorded shortened.
	header, rows := finmodel.AssumptionsTable(finmodel.SeedPlan())
	var b strings.Builder
	b.WriteString(strings.Join(header, ",") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	res, body = postFile(t, e, "/model/import", "Imported", strings.Repeat("\xff", 150)+strings.Repeat("x", 300)+".csv", b.String())
	wantStatus(t, res, body, http.StatusSeeOther)
	if n := countRows(t, db, `SELECT count(*) FROM model_scenarios WHERE name = 'Imported' AND char_length(based_on) <= 300 AND based_on LIKE 'imported file "%…"'`); n != 1 {
		t.Errorf("the imported scenario's based_on was not recorded shortened (%d rows)", n)
	}
}
