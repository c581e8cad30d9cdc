package config

import (
	"strings"
	"testing"
	"time"
)

// The alert settings: the evaluation interval is bounded, the links' base is an http(s)
// address, a webhook secret is long enough to be one, and an SMTP relay needs a sender.
func TestAlertSettings(t *testing.T) {
	c, err := load(appSettings, env(map[string]string{
		"MARI_ALERT_EVALUATE_EVERY": "10s", "MARI_ALERT_BASE_URL": "https://bi.mari.example/",
		"MARI_ALERT_WEBHOOK_SECRET": "0123456789abcdef", "MARI_SMTP_ADDR": "smtp.mari.example:587",
		"MARI_SMTP_FROM": "alerts@mari.example", "MARI_SMTP_USERNAME": "bi", "MARI_SMTP_PASSWORD": "pw",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.AlertEvery != 10*time.Second || c.AlertBaseURL != "https://bi.mari.example" || c.AlertWebhookSecret != "0123456789abcdef" ||
		c.SMTPAddr != "smtp.mari.example:587" || c.SMTPFrom != "alerts@mari.example" || c.SMTPUsername != "bi" || c.SMTPPassword != "pw" {
		t.Errorf("%+v", c)
	}
	for _, bad := range []struct{ vars map[string]string }{
		{map[string]string{"MARI_ALERT_EVALUATE_EVERY": "500ms"}},
		{map[string]string{"MARI_ALERT_EVALUATE_EVERY": "2h"}},
		{map[string]string{"MARI_ALERT_BASE_URL": "bi.mari.example"}},
		{map[string]string{"MARI_ALERT_BASE_URL": "ftp://bi.mari.example"}},
		{map[string]string{"MARI_ALERT_BASE_URL": "https://bi.mari.example/?a=1"}},
		{map[string]string{"MARI_ALERT_WEBHOOK_SECRET": "short"}},
		{map[string]string{"MARI_SMTP_ADDR": "smtp.mari.example"}},
		{map[string]string{"MARI_SMTP_ADDR": "smtp.mari.example:25"}}, // no sender
		{map[string]string{"MARI_SMTP_ADDR": "smtp.mari.example:25", "MARI_SMTP_FROM": "Mari <alerts@mari.example>"}},
		{map[string]string{"MARI_SMTP_FROM": "not an address"}},
	} {
		_, err := load(appSettings, env(bad.vars))
		named := false
		for k := range bad.vars {
			named = named || (err != nil && strings.Contains(err.Error(), k))
		}
		if !named {
			t.Errorf("%v: %v; want an error naming the variable", bad.vars, err)
		}
	}
}
