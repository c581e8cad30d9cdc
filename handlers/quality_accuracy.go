package handlers

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"mari/calendar"
	"mari/catalogue"
	"mari/queries"
	"mari/views"
)

// qualityAccuracy is the stores compared day by day, and the accuracy tile.
type qualityAccuracy struct {
	View views.QualityAccuracy
	Tile views.QualityTile
	Days []catalogue.DayComparison
}

// loadAccuracy compares PostgreSQL and ClickHouse over the last 14 SAST days, today included
// (and marked partial).
func loadAccuracy(ctx context.Context, in qualityIn) (qualityAccuracy, error) {
	var out qualityAccuracy
	today := calendar.Today(in.now)
	from := today.AddDays(-(catalogue.AccuracyDays - 1))
	pgDays, err := queries.QualityDailyPaymentsPG(ctx, in.h.pg, from, today)
	if err != nil {
		return out, dbError{dbPG, err}
	}
	chDays, err := queries.QualityDailyPaymentsCH(ctx, in.h.ch, from, today)
	if err != nil {
		return out, dbError{dbCH, err}
	}
	out.Days = compareDays(from, today, pgDays, chDays)
	res := catalogue.Accuracy(out.Days)

	complete := calendar.Range{From: from, To: today.AddDays(-1)}
	for i := len(out.Days) - 1; i >= 0; i-- { // newest first: today's partial day on top
		d := out.Days[i]
		row := views.QualityDayRow{Day: d.Day.Time().Format("Mon 2 Jan"),
			PGInitiated: views.Count(d.PG.Initiated), CHInitiated: views.Count(d.CH.Initiated),
			InitiatedGap: countGap(d.CH.Initiated - d.PG.Initiated),
			PGVolume:     views.Rand(d.PG.CompletedVolume), CHVolume: views.Rand(d.CH.CompletedVolume),
			VolumeGap: randGap(d.CH.CompletedVolume.Sub(d.PG.CompletedVolume)), State: "agrees"}
		switch {
		case d.Partial:
			row.State = "partial"
			row.Day += " (today)"
		case !d.Agrees():
			row.State = "differs"
		}
		out.View.Days = append(out.View.Days, row)
		if !d.Agrees() {
			out.View.Differences = append(out.View.Differences, describeDifference(d))
		}
	}
	out.View.Summary = fmt.Sprintf("%d of %d complete days agree exactly (%s). Today is partial: its events are still landing, so it is shown but not counted. Differences are ClickHouse − PostgreSQL.",
		res.DaysAgreeing, res.DaysCompared, complete)

	t := views.QualityTile{Value: accuracyText(res.Value), Verdict: verdictOf(catalogue.AccuracyTarget.Evaluate(res.Value.V, res.Value.OK)),
		Window: fmt.Sprintf("%d complete SAST days, %s – %s", res.DaysCompared,
			complete.From.Time().Format("2 Jan"), complete.To.Time().Format("2 Jan"))}
	if res.Value.OK {
		t.Lines = append(t.Lines, "payments initiated "+accuracyText(res.Payments)+" · completed volume "+accuracyText(res.Volume),
			fmt.Sprintf("%d of %d days agree exactly", res.DaysAgreeing, res.DaysCompared))
	} else {
		t.Lines = append(t.Lines, "no payment in either store in these days: nothing to compare")
	}
	out.Tile = t
	return out, nil
}

// compareDays sets the stores' days side by side, every day of [from, today] (a day a store
// lacks is zero there), today marked partial.
func compareDays(from, today calendar.Date, pg, ch []queries.DayPayments) []catalogue.DayComparison {
	index := func(ds []queries.DayPayments) map[calendar.Date]catalogue.StoreDay {
		m := map[calendar.Date]catalogue.StoreDay{}
		for _, d := range ds {
			m[d.Day] = catalogue.StoreDay{Initiated: d.Initiated, CompletedVolume: d.CompletedVolume}
		}
		return m
	}
	pgBy, chBy := index(pg), index(ch)
	var out []catalogue.DayComparison
	for d := from; !d.After(today); d = d.AddDays(1) {
		out = append(out, catalogue.DayComparison{Day: d, PG: pgBy[d], CH: chBy[d], Partial: d.Equal(today)})
	}
	return out
}

// describeDifference says how a day differs, in words.
func describeDifference(d catalogue.DayComparison) string {
	s := d.Day.Time().Format("Mon 2 Jan 2006")
	if d.Partial {
		s += " (today, partial: events still landing)"
	}
	s += ":"
	if d.PG.Initiated != d.CH.Initiated {
		s += fmt.Sprintf(" payments initiated PostgreSQL %s, ClickHouse %s (%s);",
			views.Count(d.PG.Initiated), views.Count(d.CH.Initiated), countGap(d.CH.Initiated-d.PG.Initiated))
	}
	if !d.PG.CompletedVolume.Equal(d.CH.CompletedVolume) {
		s += fmt.Sprintf(" completed volume PostgreSQL %s, ClickHouse %s (%s);",
			views.Rand(d.PG.CompletedVolume), views.Rand(d.CH.CompletedVolume), randGap(d.CH.CompletedVolume.Sub(d.PG.CompletedVolume)))
	}
	return s[:len(s)-1]
}

// accuracyText is an accuracy as a percentage: "100%" only when exact, and never rounded up to
// it.
func accuracyText(v catalogue.Value) string {
	if !v.OK {
		return views.NA
	}
	if v.V.Equal(decimal.NewFromInt(1)) {
		return "100%"
	}
	if s := views.Percent(v.V, 2); s != "100.00%" {
		return s
	}
	return "> 99.99%"
}

func countGap(n int64) string {
	switch {
	case n == 0:
		return ""
	case n > 0:
		return "+" + views.Count(n)
	}
	return "−" + views.Count(-n)
}

func randGap(d decimal.Decimal) string {
	switch {
	case d.IsZero():
		return ""
	case d.IsPositive():
		return "+" + views.Rand(d)
	}
	return "−" + views.Rand(d.Neg())
}
