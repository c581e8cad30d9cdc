package handlers

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"mari/catalogue"
)

// uptimePanel: the share of the range without an outage, against its target, and how long
// the outages lasted.
var uptimePanel = rangeTile("uptime", catalogue.IDUptime, func(ctx context.Context, in execIn) ([]string, error) {
	s, err := in.ask(ctx, catalogue.IDUptime, in.rc.Range, catalogue.Month)
	if err != nil || !s.Total.OK {
		return nil, err
	}
	from, to := in.rc.Range.From.Start(), in.rc.Range.To.End()
	if in.now.Before(to) {
		to = in.now
	}
	seconds := decimal.New(to.Sub(from).Milliseconds(), -3)
	down := decimal.NewFromInt(1).Sub(s.Total.V).Mul(seconds)
	return []string{"downtime " + formatDuration(down) + " in the range"}, nil
})

func formatDuration(seconds decimal.Decimal) string {
	s := seconds.Round(0).IntPart()
	h, m := s/3600, s%3600/60
	switch {
	case s == 0:
		return "none"
	case h > 0:
		return fmt.Sprintf("%dh %02dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %02ds", m, s%60)
	}
	return fmt.Sprintf("%ds", s)
}
