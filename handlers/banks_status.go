package handlers

import (
	"context"
	"strings"

	"mari/catalogue"
	"mari/metrics"
	"mari/queries"
	"mari/views"
)

// bankStatusPanel: every transaction of the bank in the range by status and failure reason,
// most frequent first, with its share of all of them (to four places, as shown: 71.43%).
var bankStatusPanel = bankTablePanel{file: "status",
	note:   "Every transaction in the range; failure reasons as the bank reported them. A count opens the transactions behind it.",
	labels: []string{"Status", "Failure reason", "Transactions", "Share", "Amount"},
	// Each row is the bank's transactions of one status (and failure reason) in the range:
	// exactly the rows of the transactions page with that filter, whose count and sum are the
	// row's transactions and amount.
	drillColumn: 2,
	drill: func(in bankIn, row []any) string {
		if in.rc.Range.Days() > maxDrillDays {
			return ""
		}
		status, _ := row[0].(string)
		reason, _ := row[1].(string)
		figure := in.p.Name + ": " + status + " transactions"
		if reason != "" {
			figure += " (" + reason + ")"
		}
		return drillHref(rangeParams(in.rc.Range), drillFilter{Bank: in.p.Code, Status: strings.ToUpper(status), FailureReason: reason}, figure)
	},
	spec: panelSpec[bankIn]{Name: "bank-status", Title: "Transactions by status", Metric: catalogue.IDTransactions, DB: dbPG, Chart: true,
		Load: func(ctx context.Context, in bankIn) (panelOut, error) {
			rows, err := queries.BankStatuses(ctx, in.h.db, in.p.Code, in.rc.Range)
			if err != nil {
				return panelOut{}, err
			}
			var total int64
			for _, s := range rows {
				total += s.Count
			}
			t := Table{Columns: cols("status", "failure_reason", "transactions", "share", "amount")}
			t.Columns[2].Unit, t.Columns[3].Unit, t.Columns[4].Unit = catalogue.Count, catalogue.Ratio, catalogue.Rand
			for _, s := range rows {
				share, _ := metrics.RatioInt(s.Count, total)
				t.Rows = append(t.Rows, []any{strings.ToLower(s.Status), s.FailureReason, s.Count, share.Round(4), s.Amount})
			}
			o := panelOut{Table: t}
			if len(t.Rows) == 0 {
				o.Chart = views.Chart{Empty: "No transactions through this bank in the range."}
			}
			return o, nil
		}}}
