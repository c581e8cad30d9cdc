package handlers

import (
	"context"
	"fmt"
	"time"

	"mari/catalogue"
	"mari/selfmon"
	"mari/views"
)

// qualityServer is the app's own measurements (package selfmon): server time and uptime, and
// the tiles of the query p95 and the dashboard uptime.
type qualityServer struct {
	View   views.QualityServer
	P95    views.QualityTile
	Uptime views.QualityTile
}

var qualityClassNames = map[selfmon.Class]string{
	selfmon.ClassPage:   "Pages (with their refreshes and CSVs)",
	selfmon.ClassAPI:    "JSON API (/api/v1)",
	selfmon.ClassIngest: "Ingestion posts (/ingest/v1; no target)",
}

const (
	qualityDay   = 24 * time.Hour
	qualityWeek  = 7 * 24 * time.Hour
	qualityMonth = 30 * 24 * time.Hour
)

func loadServer(ctx context.Context, in qualityIn) (qualityServer, error) {
	var out qualityServer
	day, err := selfmon.ReadServerTime(ctx, in.h.pg, in.now, qualityDay)
	if err != nil {
		return out, err
	}
	week, err := selfmon.ReadServerTime(ctx, in.h.pg, in.now, qualityWeek)
	if err != nil {
		return out, err
	}
	var uptimes []selfmon.Uptime
	for _, w := range []time.Duration{qualityDay, qualityWeek, qualityMonth} {
		u, err := selfmon.ReadUptime(ctx, in.h.pg, in.now, w)
		if err != nil {
			return out, err
		}
		uptimes = append(uptimes, u)
	}

	for _, c := range selfmon.Classes {
		row := views.QualityServerRow{Class: qualityClassNames[c],
			P95Day: day.ByClass[c].String(), P95Week: week.ByClass[c].String(),
			RequestsDay: requestsText(day.ByClass[c]), RequestsWeek: requestsText(week.ByClass[c])}
		if c != selfmon.ClassIngest {
			row.VerdictDay, row.VerdictWeek = p95Verdict(day.ByClass[c]), p95Verdict(week.ByClass[c])
		}
		out.View.Rows = append(out.View.Rows, row)
	}
	both := views.QualityServerRow{Class: "Pages and API (the headline)",
		P95Day: day.PagesAndAPI.String(), P95Week: week.PagesAndAPI.String(),
		RequestsDay: requestsText(day.PagesAndAPI), RequestsWeek: requestsText(week.PagesAndAPI),
		VerdictDay: p95Verdict(day.PagesAndAPI), VerdictWeek: p95Verdict(week.PagesAndAPI)}
	out.View.Rows = append([]views.QualityServerRow{both}, out.View.Rows...)
	out.View.Coverage = serverCoverage(week)

	names := []string{"Last 24 hours", "Last 7 days", "Last 30 days"}
	for i, u := range uptimes {
		out.View.Uptime = append(out.View.Uptime, views.QualityUptimeRow{Window: names[i], Value: uptimeText(u),
			Verdict: uptimeVerdict(u), Detail: uptimeDetail(u)})
	}

	out.P95 = views.QualityTile{Value: day.PagesAndAPI.String(), Verdict: p95Verdict(day.PagesAndAPI),
		Window: "last 24 hours, pages and API: " + requestsText(day.PagesAndAPI),
		Lines:  []string{"last 7 days: " + week.PagesAndAPI.String(), "the upper bound of the p95's bucket: the p95 is at most this"}}
	if !day.First.IsZero() && day.First.After(day.From) {
		out.P95.Lines = append(out.P95.Lines, "measured since "+qualityClock(day.First))
	}
	u := uptimes[0]
	out.Uptime = views.QualityTile{Value: uptimeText(u), Verdict: uptimeVerdict(u),
		Window: "last 24 hours: " + uptimeDetail(u),
		Lines:  []string{"7 days: " + uptimeText(uptimes[1]) + " · 30 days: " + uptimeText(uptimes[2])}}
	return out, nil
}

func p95Verdict(p selfmon.P95) views.Verdict {
	within, known := p.Within(catalogue.QueryP95Target)
	switch {
	case !known:
		return views.VerdictUnknown
	case within:
		return views.VerdictMet
	}
	return views.VerdictNotMet
}

func requestsText(p selfmon.P95) string {
	if p.Requests == 1 {
		return "1 request"
	}
	return views.Count(p.Requests) + " requests"
}

func uptimeText(u selfmon.Uptime) string {
	if !u.OK {
		return views.NA
	}
	return views.Percent(u.Ratio, 3)
}

func uptimeVerdict(u selfmon.Uptime) views.Verdict {
	return verdictOf(catalogue.UptimeTarget.Evaluate(u.Ratio, u.OK))
}

func uptimeDetail(u selfmon.Uptime) string {
	if !u.OK {
		return "no heartbeat yet: nothing to measure"
	}
	s := fmt.Sprintf("%s of %s up, since %s", views.Count(u.Up), countOf(u.Minutes, "minute", "minutes"), qualityClock(u.From))
	if u.Instances != 1 {
		s += fmt.Sprintf(" (%d instances)", u.Instances)
	}
	return s
}

// serverCoverage says what the server-time figures rest on.
func serverCoverage(week selfmon.ServerTime) string {
	if week.First.IsZero() {
		return "No request measured in the last 7 days yet: each instance writes a minute once it is over."
	}
	s := fmt.Sprintf("Measured by %s of mari serve since %s; each writes a minute once it is over, so the current minute is not counted yet.",
		countOf(week.Instances, "instance", "instances"), qualityClock(week.First))
	return s + " Values are the upper bound of the p95's bucket (5, 10, 25, 50, 100, 250, 500 ms, 1, 2, 5, 10, 30 s)."
}
