package handlers

import (
	"context"

	"mari/calendar"
	"mari/catalogue"
	"mari/queries"
)

// banksIn is what the overview's panel loads from: the range, as of today.
type banksIn struct {
	h     *Banks
	r     calendar.Range
	today calendar.Date
}

// key names the inputs that change the overview's data, so viewers of the same range share
// one load.
func (in banksIn) key() string { return in.r.String() + "@" + in.today.String() }

// The overview table's columns, in the CSV's order. The transaction and revenue columns are
// the catalogue's metrics filtered by each bank over the range (catalogue.Value: n/a over a
// range the rollup never covered); users, failed and pending are the bank pages' own counts.
const (
	ovFrom = iota
	ovTo
	ovCode
	ovName
	ovStatus
	ovUsers
	ovTransactions
	ovCompleted
	ovFailed
	ovPending
	ovVolume
	ovSuccess
	ovFeesBilled
	ovShareFraction
	ovBankShare
	ovMariShare
	ovLicensing
	ovRevenue
	ovColumns
)

// overviewCols are the overview table's columns, named as the CSV heads them, with their units.
var overviewCols = overviewColumns()

func overviewColumns() []Column {
	c := make([]Column, ovColumns)
	for i, name := range map[int]string{ovFrom: "from", ovTo: "to", ovCode: "bank_code", ovName: "bank_name",
		ovStatus: "status", ovUsers: "users", ovTransactions: "transactions", ovCompleted: "completed",
		ovFailed: "failed", ovPending: "pending", ovVolume: "completed_volume", ovSuccess: "success_rate",
		ovFeesBilled: "transaction_fees_billed", ovShareFraction: "bank_share_fraction", ovBankShare: "bank_share",
		ovMariShare: "mari_share", ovLicensing: "licensing_fees", ovRevenue: "revenue"} {
		c[i].Name = name
	}
	for _, i := range []int{ovUsers, ovTransactions, ovCompleted, ovFailed, ovPending} {
		c[i].Unit = catalogue.Count
	}
	for _, i := range []int{ovVolume, ovFeesBilled, ovBankShare, ovMariShare, ovLicensing, ovRevenue} {
		c[i].Unit = catalogue.Rand
	}
	c[ovSuccess].Unit, c[ovShareFraction].Unit = catalogue.Ratio, catalogue.Ratio
	return c
}

// banksOverviewPanel: every partnership over the range, one row each, by bank code (the page
// sorts them as each viewer asks). One statement reads every bank: the bank-filtered metrics
// summed over the range (queries/pg/bank_overview.sql, on the shared revenue rules).
var banksOverviewPanel = panelSpec[banksIn]{Name: "banks", Title: "Every bank", DB: dbPG, Chart: true,
	Load: func(ctx context.Context, in banksIn) (panelOut, error) {
		banks, err := queries.BankOverview(ctx, in.h.db, in.r)
		if err != nil {
			return panelOut{}, err
		}
		t := Table{Columns: overviewCols}
		for _, b := range banks {
			count := func(n int64) catalogue.Value { return valueIf(decimalOf(n), b.Present) }
			success := catalogue.NA
			if b.Present {
				success = successValue(b.Completed, b.Failed)
			}
			row := make([]any, ovColumns)
			row[ovFrom], row[ovTo] = in.r.From, in.r.To
			row[ovCode], row[ovName], row[ovStatus] = b.Code, b.Name, b.Status
			row[ovUsers], row[ovFailed], row[ovPending] = b.Users, b.Failed, b.Pending
			row[ovTransactions], row[ovCompleted] = count(b.Transactions), count(b.Completed)
			row[ovVolume] = valueIf(b.CompletedVolume, b.Present)
			row[ovSuccess] = success
			row[ovFeesBilled] = valueIf(b.FeesBilled, b.Present)
			row[ovShareFraction] = b.BankShareFraction
			row[ovBankShare] = valueIf(b.BankShare, b.Present)
			row[ovMariShare] = valueIf(b.MariShare, b.Present)
			row[ovLicensing] = valueIf(b.Licensing, b.Present)
			row[ovRevenue] = valueIf(b.Revenue, b.Present)
			t.Rows = append(t.Rows, row)
		}
		return panelOut{Table: t}, nil
	}}
