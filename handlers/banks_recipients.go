package handlers

import (
	"context"

	"mari/catalogue"
	"mari/queries"
	"mari/views"
)

// bankRecipientsPanel: the 20 recipients with the most completed transactions through the
// bank in the range (exact, from the recipient rollup).
var bankRecipientsPanel = bankTablePanel{file: "recipients", help: catalogue.IDBankRecipients,
	note:   "Recipients of completed transactions through this bank in the range, by number of transactions (ties: larger volume first). Each is shown by their blood hash: Mari's public identifier of a user (see the glossary), never their phone number.",
	labels: []string{"#", "Recipient (blood hash)", "Transactions", "Volume", "Average"},
	spec: panelSpec[bankIn]{Name: "bank-recipients", Title: "Top 20 recipients", Metric: catalogue.IDBankRecipients, DB: dbPG, Chart: true,
		Load: func(ctx context.Context, in bankIn) (panelOut, error) {
			rows, err := queries.BankTopRecipients(ctx, in.h.db, in.p.Code, in.rc.Range)
			if err != nil {
				return panelOut{}, err
			}
			t := Table{Columns: cols("rank", "blood_hash", "transactions", "volume", "average")}
			t.Columns[0].Unit, t.Columns[2].Unit = catalogue.Count, catalogue.Count
			t.Columns[3].Unit, t.Columns[4].Unit = catalogue.Rand, catalogue.Rand
			for i, r := range rows {
				t.Rows = append(t.Rows, []any{int64(i + 1), r.BloodHash, r.Transactions, r.Volume, r.Average})
			}
			o := panelOut{Table: t}
			if len(t.Rows) == 0 {
				o.Chart = views.Chart{Empty: "No completed transactions through this bank in the range."}
			}
			return o, nil
		}}}
