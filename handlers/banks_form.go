package handlers

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/partnerships"
	"mari/queries"
	"mari/views"
)

var (
	bankCodePattern = partnerships.CodePattern
	hundred         = decimal.NewFromInt(100)
	bankStatuses    = partnerships.Statuses
)

// partnershipForm is the form as typed, and what is wrong with it. Version is the version of
// the partnership the edit form was loaded at (0 when the form did not say).
type partnershipForm struct {
	Code, Name, Status, Start, End, MonthlyFee, SharePercent, SLA, APIEndpoint string
	Version                                                                    int
	Errors                                                                     map[string]string
}

func readPartnershipForm(c echo.Context) partnershipForm {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	f := partnershipForm{
		Code: strings.ToUpper(v("bank_code")), Name: v("bank_name"), Status: v("status"), Start: v("contract_start"),
		End: v("contract_end"), MonthlyFee: v("monthly_fee"), SharePercent: v("bank_share_percent"),
		SLA: v("sla_p95_ms"), APIEndpoint: v("api_endpoint"), Errors: map[string]string{},
	}
	// A version the database cannot hold is as unknown as a missing one: 0, which an edit
	// refuses as a conflict unless it changes nothing.
	if n, err := strconv.Atoi(v("version")); err == nil && n > 0 && n <= math.MaxInt32 {
		f.Version = n
	}
	return f
}

func formFromPartnership(p queries.Partnership) partnershipForm {
	f := partnershipForm{Code: p.Code, Name: p.Name, Status: p.Status, Start: p.ContractStart.String(),
		MonthlyFee: p.MonthlyFee.StringFixed(2), SharePercent: p.BankShare.Mul(hundred).StringFixed(2),
		SLA: strconv.FormatInt(p.SLAP95ms, 10), APIEndpoint: p.APIEndpoint, Version: p.Version, Errors: map[string]string{}}
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

// validate reads every field and returns the partnership to save; f.Errors says what is
// wrong, field by field: text that does not read as a date or a number here, the rules of
// a partnership (partnerships.Problems, which the service checks again) for the rest.
// checkCode is false on edit, where the code cannot change.
func (f *partnershipForm) validate(checkCode bool) queries.Partnership {
	p := queries.Partnership{Code: f.Code, Name: f.Name, Status: f.Status, APIEndpoint: f.APIEndpoint}
	start, err := calendar.ParseDate(f.Start)
	if err != nil && !errors.Is(err, calendar.ErrOutsideWindow) {
		f.Errors["contract_start"] = "Enter the contract's start date as YYYY-MM-DD."
	}
	p.ContractStart = start // zero, and refused by the rules, when it did not read
	if f.End != "" {
		end, err := calendar.ParseDate(f.End)
		switch {
		case errors.Is(err, calendar.ErrOutsideWindow):
			f.Errors["contract_end"] = partnerships.MsgEndWindow
		case err != nil:
			f.Errors["contract_end"] = "Enter the contract's end date as YYYY-MM-DD, or leave it empty for an open-ended contract."
		default:
			p.ContractEnd = &end
		}
	}
	fee, ok := decimalAtMost2(f.MonthlyFee)
	if !ok {
		f.Errors["monthly_fee"] = partnerships.MsgMonthlyFee
	}
	p.MonthlyFee = fee
	share, ok := decimalAtMost2(f.SharePercent)
	if !ok {
		f.Errors["bank_share_percent"] = partnerships.MsgShare
	}
	p.BankShare = share.Div(hundred)
	sla, err := strconv.ParseInt(f.SLA, 10, 64)
	if err != nil {
		f.Errors["sla_p95_ms"] = partnerships.MsgSLA
	}
	p.SLAP95ms = sla
	for field, msg := range partnerships.Problems(p, checkCode) {
		if _, known := f.Errors[field]; !known {
			f.Errors[field] = msg
		}
	}
	return p
}

// partnershipService writes partnerships; it holds nothing but the pool and the clock, so
// making it per request costs nothing.
func (h *Banks) partnershipService() *partnerships.Service { return partnerships.New(h.db, h.opts.Now) }

func (h *Banks) formView(f partnershipForm, isNew bool, msg string) views.BankForm {
	v := views.BankForm{New: isNew, Code: f.Code, Name: f.Name, Status: f.Status, ContractStart: f.Start,
		ContractEnd: f.End, MonthlyFee: f.MonthlyFee, SharePercent: f.SharePercent, SLA: f.SLA,
		APIEndpoint: f.APIEndpoint, Version: f.Version, Errors: f.Errors, Message: msg, Statuses: bankStatuses}
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
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	f := readPartnershipForm(c)
	p := f.validate(true)
	if len(f.Errors) > 0 {
		return render(c, http.StatusBadRequest, views.BankFormPage(h.formView(f, true, fixFields)))
	}
	err = h.partnershipService().Create(c.Request().Context(), by, p)
	var taken partnerships.CodeTakenError
	var input partnerships.InputError
	switch {
	case errors.As(err, &taken):
		f.Errors["bank_code"] = taken.Error()
		return render(c, http.StatusBadRequest, views.BankFormPage(h.formView(f, true, fixFields)))
	case errors.As(err, &input): // the form checks the same rules, so only a bug gets here
		maps.Copy(f.Errors, input.Fields)
		return render(c, http.StatusBadRequest, views.BankFormPage(h.formView(f, true, fixFields)))
	case err != nil:
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
// together. A form loaded before someone else saved the partnership is refused (409) with
// what saving it would change, its values kept, and nothing written.
func (h *Banks) Edit(c echo.Context) error {
	by, err := changeActor(c)
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
		return render(c, http.StatusBadRequest, views.BankFormPage(h.formView(f, false, fixFields)))
	}
	edited, err := h.partnershipService().Edit(c.Request().Context(), by, p, f.Version)
	var conflict partnerships.ConflictError
	var input partnerships.InputError
	var missing partnerships.NotFoundError
	switch {
	case errors.As(err, &conflict):
		f.Version = conflict.Current // a second, informed save may replace their values
		return render(c, http.StatusConflict, views.BankFormPage(h.formView(f, false, partnershipConflictMessage(conflict, p))))
	case errors.As(err, &input): // the form checks the same rules, so only a bug gets here
		maps.Copy(f.Errors, input.Fields)
		return render(c, http.StatusBadRequest, views.BankFormPage(h.formView(f, false, fixFields)))
	case errors.As(err, &missing):
		_, err := notFoundPage(c, errBankNotFound{missing.Code})
		return err
	case err != nil:
		return err
	}
	saved := "1"
	if edited.Unchanged {
		saved = "unchanged"
	}
	return c.Redirect(http.StatusSeeOther, "/banks/"+url.PathEscape(p.Code)+"?saved="+saved)
}

// partnershipConflictMessage says why an edit was refused and what saving the typed values
// now would change.
func partnershipConflictMessage(e partnerships.ConflictError, typed queries.Partnership) string {
	return fmt.Sprintf("Nothing was saved: this partnership was changed by someone else after you opened the form "+
		"(you started from version %d; it is now at version %d). Your values are kept below; saving them again would change %s. "+
		"Check them, then save again to make them the current terms.", e.Base, e.Current, partnerships.Changes(e.Saved, typed))
}
