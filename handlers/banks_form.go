package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/audit"
	"mari/calendar"
	"mari/queries"
	"mari/views"
)

var (
	bankCodePattern = regexp.MustCompile(`^[A-Z0-9_]{2,20}$`)
	maxMonthlyFee   = decimal.RequireFromString("10000000.00")
	hundred         = decimal.NewFromInt(100)
	bankStatuses    = []string{"pilot", "active", "inactive"}
)

// partnershipForm is the form as typed, and what is wrong with it.
type partnershipForm struct {
	Code, Name, Status, Start, End, MonthlyFee, SharePercent, SLA, APIEndpoint string
	Errors                                                                     map[string]string
}

func readPartnershipForm(c echo.Context) partnershipForm {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	return partnershipForm{
		Code: strings.ToUpper(v("bank_code")), Name: v("bank_name"), Status: v("status"), Start: v("contract_start"),
		End: v("contract_end"), MonthlyFee: v("monthly_fee"), SharePercent: v("bank_share_percent"),
		SLA: v("sla_p95_ms"), APIEndpoint: v("api_endpoint"), Errors: map[string]string{},
	}
}

func formFromPartnership(p queries.Partnership) partnershipForm {
	f := partnershipForm{Code: p.Code, Name: p.Name, Status: p.Status, Start: p.ContractStart.String(),
		MonthlyFee: p.MonthlyFee.StringFixed(2), SharePercent: p.BankShare.Mul(hundred).StringFixed(2),
		SLA: strconv.FormatInt(p.SLAP95ms, 10), APIEndpoint: p.APIEndpoint, Errors: map[string]string{}}
	if p.ContractEnd != nil {
		f.End = p.ContractEnd.String()
	}
	return f
}

// decimalAtMost2 parses an amount with at most two decimals.
func decimalAtMost2(s string) (decimal.Decimal, bool) {
	if s == "" || strings.ContainsAny(s, "eE") {
		return decimal.Zero, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil || d.Exponent() < -2 && !d.Equal(d.Round(2)) {
		return decimal.Zero, false
	}
	return d, true
}

// validate checks every field and returns the partnership to save; f.Errors says what is
// wrong, field by field. checkCode is false on edit, where the code cannot change.
func (f *partnershipForm) validate(checkCode bool) queries.Partnership {
	p := queries.Partnership{Code: f.Code, Name: f.Name, Status: f.Status, APIEndpoint: f.APIEndpoint}
	if checkCode && !bankCodePattern.MatchString(f.Code) {
		f.Errors["bank_code"] = "The bank code is 2 to 20 characters: capital letters A–Z, digits and _."
	}
	if n := utf8.RuneCountInString(f.Name); n < 1 || n > 100 {
		f.Errors["bank_name"] = "Enter the bank's name, at most 100 characters."
	}
	valid := false
	for _, s := range bankStatuses {
		valid = valid || s == f.Status
	}
	if !valid {
		f.Errors["status"] = "Choose pilot, active or inactive."
	}
	start, err := calendar.ParseDate(f.Start)
	switch {
	case errors.Is(err, calendar.ErrOutsideWindow):
		f.Errors["contract_start"] = fmt.Sprintf("Enter a start date from %s to %s.", calendar.EarliestDate, calendar.LatestDate)
	case err != nil:
		f.Errors["contract_start"] = "Enter the contract's start date as YYYY-MM-DD."
	}
	p.ContractStart = start
	if f.End != "" {
		end, err := calendar.ParseDate(f.End)
		switch {
		case errors.Is(err, calendar.ErrOutsideWindow):
			f.Errors["contract_end"] = fmt.Sprintf("Enter an end date from %s to %s, or leave it empty for an open-ended contract.", calendar.EarliestDate, calendar.LatestDate)
		case err != nil:
			f.Errors["contract_end"] = "Enter the contract's end date as YYYY-MM-DD, or leave it empty for an open-ended contract."
		case f.Errors["contract_start"] == "" && end.Before(start):
			f.Errors["contract_end"] = fmt.Sprintf("The contract cannot end (%s) before it starts (%s).", end, start)
		default:
			p.ContractEnd = &end
		}
	}
	fee, ok := decimalAtMost2(f.MonthlyFee)
	if !ok || fee.IsNegative() || fee.GreaterThan(maxMonthlyFee) {
		f.Errors["monthly_fee"] = "Enter the monthly fee in rand, 0 to 10 000 000.00, with at most 2 decimals (such as 45000.00)."
	}
	p.MonthlyFee = fee
	share, ok := decimalAtMost2(f.SharePercent)
	if !ok || share.IsNegative() || share.GreaterThan(hundred) {
		f.Errors["bank_share_percent"] = "Enter the bank's share as a percentage from 0 to 100, with at most 2 decimals (such as 30)."
	}
	p.BankShare = share.Div(hundred)
	sla, err := strconv.ParseInt(f.SLA, 10, 64)
	if err != nil || sla < 100 || sla > 120000 {
		f.Errors["sla_p95_ms"] = "Enter the SLA as whole milliseconds from 100 to 120 000."
	}
	p.SLAP95ms = sla
	if f.APIEndpoint != "" {
		u, err := url.Parse(f.APIEndpoint)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(f.APIEndpoint) > 255 ||
			strings.ContainsAny(f.APIEndpoint, " \t\r\n") {
			f.Errors["api_endpoint"] = "Enter an https:// address of at most 255 characters, or leave it empty."
		}
	}
	return p
}

func (h *Banks) formView(f partnershipForm, isNew bool, msg string) views.BankForm {
	v := views.BankForm{New: isNew, Code: f.Code, Name: f.Name, Status: f.Status, ContractStart: f.Start,
		ContractEnd: f.End, MonthlyFee: f.MonthlyFee, SharePercent: f.SharePercent, SLA: f.SLA,
		APIEndpoint: f.APIEndpoint, Errors: f.Errors, Message: msg, Statuses: bankStatuses}
	if isNew {
		v.Action, v.Cancel = "/banks/new", "/banks"
	} else {
		v.Action, v.Cancel = "/banks/"+url.PathEscape(f.Code)+"/edit", "/banks/"+url.PathEscape(f.Code)
	}
	return v
}

// NewForm serves GET /banks/new.
func (h *Banks) NewForm(c echo.Context) error {
	f := partnershipForm{Status: "pilot", Start: calendar.Today(h.opts.Now()).String(), MonthlyFee: "0.00",
		SharePercent: "30.00", SLA: "3000", Errors: map[string]string{}}
	return render(c, http.StatusOK, views.BankFormPage(h.formView(f, true, "")))
}

// Create serves POST /banks/new: a valid partnership is saved and audited together.
func (h *Banks) Create(c echo.Context) error {
	_, by, err := staff(c)
	if err != nil {
		return err
	}
	f := readPartnershipForm(c)
	p := f.validate(true)
	if len(f.Errors) > 0 {
		return render(c, http.StatusBadRequest, views.BankFormPage(h.formView(f, true, "Please fix the fields marked below; nothing was saved.")))
	}
	ctx := c.Request().Context()
	now := h.opts.Now()
	err = pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		if err := queries.InsertPartnership(ctx, tx, p, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, auditEntry(c, by, audit.PartnershipCreated, "bank "+p.Code, partnershipSummary(p)))
	})
	if isUniqueViolation(err) {
		f.Errors["bank_code"] = fmt.Sprintf("A partnership with the code %s already exists; choose another code or edit that one.", p.Code)
		return render(c, http.StatusBadRequest, views.BankFormPage(h.formView(f, true, "Please fix the fields marked below; nothing was saved.")))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/banks/"+url.PathEscape(p.Code)+"?saved=1")
}

// EditForm serves GET /banks/:code/edit.
func (h *Banks) EditForm(c echo.Context) error {
	p, err := h.partnership(c)
	if err != nil {
		_, err = notFoundPage(c, err)
		return err
	}
	return render(c, http.StatusOK, views.BankFormPage(h.formView(formFromPartnership(p), false, "")))
}

// Edit serves POST /banks/:code/edit: the change and its before→after audit entry land
// together.
func (h *Banks) Edit(c echo.Context) error {
	_, by, err := staff(c)
	if err != nil {
		return err
	}
	if _, err := h.partnership(c); err != nil {
		_, err = notFoundPage(c, err)
		return err
	}
	f := readPartnershipForm(c)
	f.Code = c.Param("code") // the code is the partnership's identity: never edited
	p := f.validate(false)
	if len(f.Errors) > 0 {
		return render(c, http.StatusBadRequest, views.BankFormPage(h.formView(f, false, "Please fix the fields marked below; nothing was saved.")))
	}
	ctx := c.Request().Context()
	now := h.opts.Now()
	unchanged := false
	err = pgx.BeginFunc(ctx, h.db, func(tx pgx.Tx) error {
		before, ok, err := queries.PartnershipForUpdate(ctx, tx, p.Code)
		if err != nil {
			return err
		}
		if !ok {
			return errBankNotFound{p.Code}
		}
		changes := partnershipChanges(before, p)
		if changes == "" {
			unchanged = true
			return nil
		}
		if err := queries.UpdatePartnership(ctx, tx, p, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, auditEntry(c, by, audit.PartnershipChanged, "bank "+p.Code, changes))
	})
	if done, err := notFoundPage(c, err); done || err != nil {
		return err
	}
	saved := "1"
	if unchanged {
		saved = "unchanged"
	}
	return c.Redirect(http.StatusSeeOther, "/banks/"+url.PathEscape(p.Code)+"?saved="+saved)
}

// partnershipFields are the audited fields of a partnership, as text. No secrets: the API key
// hash is not among them.
func partnershipFields(p queries.Partnership) [][2]string {
	end := "open-ended"
	if p.ContractEnd != nil {
		end = p.ContractEnd.String()
	}
	api := "none"
	if p.APIEndpoint != "" {
		api = p.APIEndpoint
	}
	return [][2]string{
		{"name", strconv.Quote(p.Name)}, {"status", p.Status}, {"contract_start", p.ContractStart.String()},
		{"contract_end", end}, {"monthly_fee", p.MonthlyFee.StringFixed(2)},
		{"bank_share", p.BankShare.Mul(hundred).StringFixed(2) + "%"}, {"sla_p95_ms", strconv.FormatInt(p.SLAP95ms, 10)},
		{"api_endpoint", api},
	}
}

func partnershipSummary(p queries.Partnership) string {
	var parts []string
	for _, kv := range partnershipFields(p) {
		parts = append(parts, kv[0]+"="+kv[1])
	}
	return strings.Join(parts, "; ")
}

// partnershipChanges is "field: before → after" for every field that changed; "" for none.
func partnershipChanges(before, after queries.Partnership) string {
	b, a := partnershipFields(before), partnershipFields(after)
	var parts []string
	for i := range b {
		if b[i][1] != a[i][1] {
			parts = append(parts, b[i][0]+": "+b[i][1]+" → "+a[i][1])
		}
	}
	return strings.Join(parts, "; ")
}
