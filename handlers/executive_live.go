package handlers

import (
	"context"

	"mari/calendar"
	"mari/catalogue"
	"mari/views"
)

// livePanel: today's event stream so far, from ClickHouse.
var livePanel = panelSpec[execIn]{Name: "live", Title: "Today so far (live)", Metric: catalogue.IDLiveToday, DB: dbCH,
	Load: func(ctx context.Context, in execIn) (panelOut, error) {
		l, err := in.h.src.LiveToday(ctx, in.today)
		if err != nil {
			return panelOut{}, err
		}
		t := views.Tile{Live: true, Value: views.Count(l.Initiated) + " initiated"}
		t.Lines = []string{
			views.Count(l.Completed) + " completed · " + views.Count(l.Failed) + " failed",
			"completed " + views.Rand(l.CompletedAmount),
		}
		if l.LastEvent.IsZero() {
			t.Lines = append(t.Lines, "no events yet today ("+l.Date.String()+")")
		} else {
			t.Lines = append(t.Lines, "last event in the minute of "+l.LastEvent.In(calendar.SAST).Format("15:04")+" SAST")
		}
		return panelOut{Tile: t}, nil
	}}
