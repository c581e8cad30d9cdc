package handlers

import (
	"context"
	"time"

	"mari/queries"
	"mari/views"
)

// loadDeadLetters counts the dead letters by topic seen in the last 24 hours and 7 days.
func loadDeadLetters(ctx context.Context, in qualityIn) (views.QualityDeadLetters, error) {
	var out views.QualityDeadLetters
	counts, err := queries.QualityDeadLetters(ctx, in.h.pg, in.now.Add(-24*time.Hour), in.now.Add(-7*24*time.Hour))
	if err != nil {
		return out, err
	}
	var day, week int64
	for _, c := range counts {
		out.Rows = append(out.Rows, views.QualityDeadLetterRow{Topic: c.Topic, LastDay: views.Count(c.LastDay), Week: views.Count(c.Week)})
		day += c.LastDay
		week += c.Week
	}
	out.TotalDay, out.TotalWeek = views.Count(day), views.Count(week)
	return out, nil
}
