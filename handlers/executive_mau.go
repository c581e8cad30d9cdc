package handlers

import (
	"context"
	"fmt"

	"mari/calendar"
	"mari/catalogue"
	"mari/views"
)

// mauPanel: the last complete month's active users against the month before, with the month
// still running beneath as month to date. A range without a complete month headlines its
// month to date, against the same days of the month before.
var mauPanel = panelSpec[execIn]{Name: "mau", Title: "Monthly active users", Metric: catalogue.IDMAU, DB: dbPG,
	Load: func(ctx context.Context, in execIn) (panelOut, error) {
		m := catalogue.Must(catalogue.IDMAU)
		// One month more at the front: the headline month is compared with the one before.
		s, err := in.ask(ctx, m.ID, in.monthsBefore(1), catalogue.Month)
		if err != nil {
			return panelOut{}, err
		}
		complete, partial := monthlyHeadline(s, in.rc.Range.From)
		var t views.Tile
		switch {
		case complete >= 0:
			p := s.Points[complete]
			t = metricTile(m, p.Value)
			t.Lines = []string{catalogue.PeriodLabel(p.Period, catalogue.Month)}
			if complete > 0 {
				before := s.Points[complete-1]
				t = withDelta(t, p.Value, before.Value, before.Period.From.MonthLabel())
			}
		case partial >= 0:
			p := s.Points[partial]
			t = metricTile(m, p.Value)
			t.Lines = []string{partialMonthLabel(p.Period, in.today)}
			// A month to date is compared with the same days of the month before.
			day := p.Period.To.AddMonths(-1)
			against := fmt.Sprintf("%s to %d %s", day.MonthLabel(), day.Day(), day.Month().String()[:3])
			prev, ok, err := in.h.src.MAUOn(ctx, day)
			if err != nil {
				return panelOut{}, err
			}
			if ok {
				t = withDelta(t, p.Value, catalogue.OfInt(prev), against)
			} else {
				t.Delta, t.DeltaClass = "no comparison: no data for "+against, "flat"
			}
			return panelOut{Tile: t}, nil
		default:
			return panelOut{Tile: views.Tile{Value: views.NA, Lines: []string{"no rollup rows in the range yet"}}}, nil
		}
		if partial >= 0 {
			p := s.Points[partial]
			t.Lines = append(t.Lines, partialMonthLabel(p.Period, in.today)+": "+views.Value(m.Unit, m.Decimals, p.Value))
		}
		return panelOut{Tile: t}, nil
	}}

// monthsBefore is the page's range from the 1st of the month n months before its first.
func (in execIn) monthsBefore(n int) calendar.Range {
	return calendar.Range{From: in.rc.Range.From.MonthStart().AddMonths(-n), To: in.rc.Range.To}
}
