package handlers

import (
	"context"
	"time"

	"mari/alerts"
	"mari/views"
)

// OpsAlertsSource reads the alert rules firing at a moment (alerts.FiringNow over PostgreSQL):
// the banner of the operations dashboard and its wall screen.
type OpsAlertsSource func(ctx context.Context, now time.Time) ([]alerts.Firing, error)

// opsBannerJSON is the banner in GET /ops/data: the firing rules, or why they could not be
// read. The page's refresh rewrites the banner from it.
type opsBannerJSON struct {
	Firing      int              `json:"firing"` // rules firing, silenced ones included
	Loud        int              `json:"loud"`   // of them, not silenced
	Title       string           `json:"title"`  // what the banner says first ("2 alerts firing")
	Items       []opsBannerAlert `json:"items"`  // the longest firing first, at most opsBannerItems
	Unavailable string           `json:"unavailable,omitempty"`
}

// opsBannerItems is how many firing rules the banner names; its title counts them all.
const opsBannerItems = 5

type opsBannerAlert struct {
	Name     string `json:"name"`
	Since    string `json:"sinceSast"` // hh:mm
	Detail   string `json:"detail"`
	Silenced bool   `json:"silenced"`
}

// banner reads the firing rules for the dashboard's load, shared among its viewers like the
// panels' statements; nil when the dashboard has no alerts source.
func (h *Ops) banner(ctx context.Context, in opsIn) *opsBannerJSON {
	if h.opts.Alerts == nil {
		return nil
	}
	all := in
	all.filter.Bank, all.filter.Channel = "", "" // the alerts are the whole app's, not the filter's
	list, err := read(ctx, &h.reads, all.readKey("alerts"), func(ctx context.Context) ([]alerts.Firing, error) {
		return h.opts.Alerts(ctx, in.now)
	})
	b := &opsBannerJSON{Items: []opsBannerAlert{}}
	if err != nil {
		h.opts.Log.Warn("ops: firing alerts unavailable", "err", err)
		b.Unavailable = "alerts unavailable: " + shortReason(err, dbPG, h.opts.PanelTimeout)
		b.Title = b.Unavailable
		return b
	}
	for _, f := range list {
		b.Firing++
		if !f.Silenced {
			b.Loud++
		}
		if len(b.Items) < opsBannerItems {
			b.Items = append(b.Items, opsBannerAlert{Name: f.Name, Since: sastClock(f.Since, "15:04"), Detail: f.Detail, Silenced: f.Silenced})
		}
	}
	switch {
	case b.Firing == 0:
	case b.Loud == b.Firing:
		b.Title = plural(b.Firing, "alert firing", "alerts firing")
	default:
		b.Title = plural(b.Firing, "alert firing", "alerts firing") + " (" + plural(b.Firing-b.Loud, "silenced", "silenced") + ")"
	}
	return b
}

// bannerView is the banner as the page first shows it.
func bannerView(b *opsBannerJSON) views.OpsAlerts {
	if b == nil {
		return views.OpsAlerts{}
	}
	v := views.OpsAlerts{Shown: true, Firing: b.Firing, Loud: b.Loud, Title: b.Title, Unavailable: b.Unavailable}
	for _, i := range b.Items {
		v.Items = append(v.Items, views.OpsAlert{Name: i.Name, Since: i.Since, Detail: i.Detail, Silenced: i.Silenced})
	}
	return v
}

// ShowAlerts gives the dashboard the source of its banner of firing alert rules.
func (h *Ops) ShowAlerts(src OpsAlertsSource) { h.opts.Alerts = src }
