package handlers

import (
	"context"

	"mari/catalogue"
	"mari/views"
)

// revenuePanel: Mari's revenue over the range against the previous period, with its parts:
// the transaction fees billed, the banks' share of them, and licensing fees accrued.
var revenuePanel = rangeTile("revenue", catalogue.IDRevenue, func(ctx context.Context, in execIn) ([]string, error) {
	var lines []string
	for _, part := range []struct{ id, label string }{
		{catalogue.IDFeesBilled, "transaction fees billed "},
		{catalogue.IDBankShare, "less banks' share "},
		{catalogue.IDLicensingRevenue, "licensing fees "},
	} {
		s, err := in.ask(ctx, part.id, in.rc.Range, catalogue.Month)
		if err != nil {
			return nil, err
		}
		lines = append(lines, part.label+views.Value(catalogue.Rand, 2, s.Total))
	}
	return lines, nil
})
