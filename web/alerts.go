package web

import (
	"context"
	"time"

	"mari/alerts"
	"mari/handlers"
)

// alertChannels are the notification channels the configuration makes usable: webhooks need
// their signature's key, email a relay and a sender.
func alertChannels(c Config) alerts.Channels {
	return alerts.Channels{Webhook: c.AlertWebhookSecret != "", Email: c.SMTPAddr != "" && c.SMTPFrom != ""}
}

// newAlertsPage builds the alerts page's handler (the evaluator and the deliverer run beside
// the server, started by `mari serve`).
func newAlertsPage(d Deps) *handlers.Alerts {
	return handlers.NewAlerts(d.PG, handlers.AlertsOptions{Now: d.Now, Log: d.Log, Timeout: d.Config.PanelTimeout,
		Channels: alertChannels(d.Config), BaseURL: d.Config.AlertBaseURL, Every: d.Config.AlertEvery})
}

// firingAlerts is the operations banner's source; nil without a database.
func firingAlerts(d Deps) handlers.OpsAlertsSource {
	if d.PG == nil {
		return nil
	}
	return func(ctx context.Context, now time.Time) ([]alerts.Firing, error) {
		return alerts.FiringNow(ctx, d.PG, now)
	}
}
