package handlers

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"mari/calendar"
	"mari/queries"
	"mari/rollup"
)

// APIBankSummary is a bank's row of the bank overview over a range.
type APIBankSummary struct {
	Code                  string  `json:"code" example:"UTB"`
	Name                  string  `json:"name"`
	Status                string  `json:"status" doc:"The partnership's status: pilot, active, paused or ended."`
	Users                 *int64  `json:"users" doc:"Distinct senders through the bank in the range."`
	Transactions          *int64  `json:"transactions" doc:"Every status; null over a range the rollup never covered."`
	Completed             *int64  `json:"completed"`
	Failed                *int64  `json:"failed"`
	Pending               *int64  `json:"pending"`
	CompletedVolume       *string `json:"completed_volume" doc:"Sum of completed amounts (ZAR)."`
	SuccessRate           *string `json:"success_rate" doc:"completed / (completed + failed), a decimal fraction; see /glossary#success-rate."`
	TransactionFeesBilled *string `json:"transaction_fees_billed"`
	BankShareFraction     *string `json:"bank_share_fraction" doc:"The contract's fraction of the transaction fee paid to the bank."`
	BankShare             *string `json:"bank_share"`
	MariShare             *string `json:"mari_share" doc:"Fees billed less the bank's share: Mari's transaction revenue from the bank."`
	LicensingFees         *string `json:"licensing_fees" doc:"Licensing accrued per day in force."`
	Revenue               *string `json:"revenue" doc:"Mari's revenue from the bank: mari_share + licensing_fees; see /glossary#revenue."`
}

func apiBankSummary(t Table, row []any) APIBankSummary {
	return APIBankSummary{Code: tableString(t, row, ovCode), Name: tableString(t, row, ovName), Status: tableString(t, row, ovStatus),
		Users: tableCount(t, row, ovUsers), Transactions: tableCount(t, row, ovTransactions), Completed: tableCount(t, row, ovCompleted),
		Failed: tableCount(t, row, ovFailed), Pending: tableCount(t, row, ovPending), CompletedVolume: tableText(t, row, ovVolume),
		SuccessRate: tableText(t, row, ovSuccess), TransactionFeesBilled: tableText(t, row, ovFeesBilled),
		BankShareFraction: tableText(t, row, ovShareFraction), BankShare: tableText(t, row, ovBankShare),
		MariShare: tableText(t, row, ovMariShare), LicensingFees: tableText(t, row, ovLicensing), Revenue: tableText(t, row, ovRevenue)}
}

// BanksInput asks for every bank over a range.
type BanksInput struct {
	RangeParams
}

// BanksOutput is the bank overview.
type BanksOutput struct {
	Body struct {
		Meta
		From  string           `json:"from" format:"date"`
		To    string           `json:"to" format:"date"`
		Banks []APIBankSummary `json:"banks" doc:"Every partnership (a key restricted to a bank: that bank only), by code."`
	}
}

// Banks is the bank overview: every partnership's figures over the range, as /banks shows them.
func (a *API) Banks(ctx context.Context, in *BanksInput) (*BanksOutput, error) {
	caller, err := apiCaller(ctx)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	rc, err := a.rangeOf(ctx, in.RangeParams, now)
	if err != nil {
		return nil, err
	}
	o, err := banksOverviewPanel.Load(ctx, banksIn{h: a.BankPages, r: rc.Range, today: calendar.Today(now)})
	if err != nil {
		return nil, a.logged("banks", err)
	}
	asOf, err := a.rollupAsOfFor(ctx, rollup.JobBankDaily)
	if err != nil {
		return nil, a.logged("banks", err)
	}
	out := &BanksOutput{}
	b := &out.Body
	b.Meta, b.From, b.To = meta(asOf), rc.Range.From.String(), rc.Range.To.String()
	b.Banks = []APIBankSummary{}
	for _, row := range o.Table.Rows {
		s := apiBankSummary(o.Table, row)
		if caller.Bank == "" || s.Code == caller.Bank {
			b.Banks = append(b.Banks, s)
		}
	}
	return out, nil
}

// BankInput asks for one bank over a range.
type BankInput struct {
	Code string `path:"code" maxLength:"20" example:"UTB" doc:"The bank's code, as GET /api/v1/banks lists it."`
	RangeParams
}

// APIContract is a partnership's contract.
type APIContract struct {
	ContractStart     string  `json:"contract_start" format:"date"`
	ContractEnd       *string `json:"contract_end" format:"date" doc:"null: open-ended."`
	MonthlyFee        string  `json:"monthly_fee" doc:"Licensing fee per month (ZAR), accrued per day in force."`
	BankShareFraction string  `json:"bank_share_fraction"`
	SLAP95ms          int64   `json:"sla_p95_ms" doc:"The processing-time p95 the bank has agreed to, in milliseconds."`
}

// APIBankMonth is one calendar month of a bank's scorecard, cut to the range.
type APIBankMonth struct {
	Month                 string  `json:"month" example:"2026-11"`
	From                  string  `json:"from" format:"date"`
	To                    string  `json:"to" format:"date"`
	Transactions          *int64  `json:"transactions"`
	Completed             *int64  `json:"completed"`
	Failed                *int64  `json:"failed"`
	SuccessRate           *string `json:"success_rate"`
	CompletedVolume       *string `json:"completed_volume"`
	TransactionFeesBilled *string `json:"transaction_fees_billed"`
	BankShare             *string `json:"bank_share"`
	MariShare             *string `json:"mari_share"`
	LicensingFees         *string `json:"licensing_fees"`
	Revenue               *string `json:"revenue"`
	Complete              bool    `json:"complete" doc:"The whole month lies in the range and has ended."`
}

// BankOutput is one bank's scorecard.
type BankOutput struct {
	Body struct {
		Meta
		From          string         `json:"from" format:"date"`
		To            string         `json:"to" format:"date"`
		Contract      APIContract    `json:"contract"`
		Summary       APIBankSummary `json:"summary" doc:"The bank's figures over the whole range, as its row of GET /api/v1/banks."`
		ProcessingP95 *int64         `json:"processing_p95_ms" doc:"Exact p95 (nearest rank) of the processing time of its final transactions in the range; null when it had none."`
		MeetsSLA      *bool          `json:"meets_sla" doc:"processing_p95_ms <= sla_p95_ms; null without a p95."`
		Months        []APIBankMonth `json:"months" doc:"The range by calendar month; the months add up to the summary."`
		FinalMeasured int64          `json:"final_transactions_measured" doc:"Final transactions with a processing time: what the p95 is taken over."`
	}
}

// Bank is one bank's scorecard over the range, as its page shows it.
func (a *API) Bank(ctx context.Context, in *BankInput) (*BankOutput, error) {
	caller, err := apiCaller(ctx)
	if err != nil {
		return nil, err
	}
	if caller.Bank != "" && in.Code != caller.Bank {
		return nil, huma.Error403Forbidden("this key sees only bank " + caller.Bank + "'s figures")
	}
	p, ok, err := queries.PartnershipByCode(ctx, a.PG, in.Code)
	if err != nil {
		return nil, a.logged("bank", err)
	}
	if !ok {
		return nil, huma.Error404NotFound("there is no bank " + quoteID(in.Code) + "; GET /api/v1/banks lists them")
	}
	now := a.Now()
	rc, err := a.rangeOf(ctx, in.RangeParams, now)
	if err != nil {
		return nil, err
	}
	today := calendar.Today(now)
	overview, err := banksOverviewPanel.Load(ctx, banksIn{h: a.BankPages, r: rc.Range, today: today})
	if err != nil {
		return nil, a.logged("bank", err)
	}
	bi := bankIn{h: a.BankPages, p: p, rc: rc, now: now, today: today}
	months, err := bi.months(ctx, true, bankMonthMetrics...)
	if err != nil {
		return nil, a.logged("bank", err)
	}
	p95, err := queries.BankProcessingP95(ctx, a.PG, p.Code, rc.Range)
	if err != nil {
		return nil, a.logged("bank", err)
	}
	asOf, err := a.rollupAsOfFor(ctx, rollup.JobBankDaily)
	if err != nil {
		return nil, a.logged("bank", err)
	}
	out := &BankOutput{}
	b := &out.Body
	b.Meta, b.From, b.To = meta(asOf), rc.Range.From.String(), rc.Range.To.String()
	b.Contract = APIContract{ContractStart: p.ContractStart.String(), MonthlyFee: p.MonthlyFee.StringFixed(2),
		BankShareFraction: p.BankShare.String(), SLAP95ms: p.SLAP95ms}
	if p.ContractEnd != nil {
		end := p.ContractEnd.String()
		b.Contract.ContractEnd = &end
	}
	for _, row := range overview.Table.Rows {
		if s := apiBankSummary(overview.Table, row); s.Code == p.Code {
			b.Summary = s
		}
	}
	b.FinalMeasured = p95.Final
	if p95.Final > 0 {
		v, meets := p95.P95ms, p95.P95ms <= p.SLAP95ms
		b.ProcessingP95, b.MeetsSLA = &v, &meets
	}
	t := months.table()
	b.Months = make([]APIBankMonth, 0, len(t.Rows))
	for _, row := range t.Rows {
		complete, _ := row[13].(bool)
		b.Months = append(b.Months, APIBankMonth{Month: tableString(t, row, 0), From: tableString(t, row, 1), To: tableString(t, row, 2),
			Transactions: tableCount(t, row, 3), Completed: tableCount(t, row, 4), Failed: tableCount(t, row, 5),
			SuccessRate: tableText(t, row, 6), CompletedVolume: tableText(t, row, 7), TransactionFeesBilled: tableText(t, row, 8),
			BankShare: tableText(t, row, 9), MariShare: tableText(t, row, 10), LicensingFees: tableText(t, row, 11),
			Revenue: tableText(t, row, 12), Complete: complete})
	}
	return out, nil
}
