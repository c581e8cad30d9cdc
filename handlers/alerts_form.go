package handlers

import (
	"strings"

	"github.com/labstack/echo/v4"

	"mari/alerts"
	"mari/views"
)

// The forms of the alerts page, read from the request and shown again as typed.

// readAlertForm reads a rule form (POST /alerts) as typed.
func readAlertForm(c echo.Context) alerts.Form {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	return alerts.Form{Name: v("name"), Template: v("template"), Bank: v("bank"), Threshold: v("threshold"),
		Window: v("window"), For: v("for"), MinAttempts: v("min_attempts"), WebhookURL: v("webhook_url"), EmailTo: v("email_to")}
}

// alertForm is template t's form with its defaults, before anything is typed.
func alertForm(t alerts.TemplateInfo) alerts.Form {
	f := t.Defaults
	f.Template = string(t.Template)
	return f
}

// templateForm is the view of template t's form holding f.
func templateForm(t alerts.TemplateInfo, f alerts.Form, banks []views.Option) views.AlertTemplateForm {
	v := views.AlertTemplateForm{Template: string(t.Template), Label: t.Label, Explain: t.Explain,
		Bank: t.Uses.Bank, BankRequired: t.Uses.BankRequired, Threshold: t.Uses.Threshold, Window: t.Uses.Window,
		MinAttempts: t.Uses.MinAttempts, Banks: banks,
		Name: f.Name, BankValue: f.Bank, ThresholdValue: f.Threshold, WindowValue: f.Window, ForValue: f.For,
		MinAttemptsValue: f.MinAttempts, WebhookURL: f.WebhookURL, EmailTo: f.EmailTo, Errors: map[string]string{}}
	switch t.Template {
	case alerts.SuccessRate:
		v.ThresholdLabel, v.ThresholdHint = "Fires below (%)", "above 0 and at most 100, such as 99.5"
		v.MinAttemptsLabel = "Minimum payments (completed + failed) in the window"
	case alerts.DeadLetters:
		v.ThresholdLabel, v.ThresholdHint = "Fires above (dead letters)", "0 fires at the first one"
	case alerts.BankP95:
		v.MinAttemptsLabel = "Minimum final payments in the window"
	}
	return v
}

// alertSilenceForm is the silence form as typed.
type alertSilenceForm struct{ Duration, Reason string }

func readSilenceForm(c echo.Context) alertSilenceForm {
	return alertSilenceForm{Duration: strings.TrimSpace(c.FormValue("duration")),
		Reason: strings.TrimSpace(normaliseText(c.FormValue("reason")))}
}
