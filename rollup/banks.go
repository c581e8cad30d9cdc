package rollup

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mari/calendar"
	"mari/queries"
)

// JobBankDaily is the per-bank daily rollup behind the bank-partnership pages.
const JobBankDaily = "bank_daily"

// The bank_daily job rewrites one SAST day of the per-bank rollups (counts and volume by
// status, senders by previous active day, the processing-time histograms, completed
// transactions per recipient) and the top-recipient lists of that day's month, in one
// transaction: the pages never see half a day.
//
// Late data. A day's rows depend on that day's transactions, except prev_day, which also
// depends on the sender's earlier transactions with the bank. The scheduler re-runs today
// every few minutes and finalises yesterday after 02:00 before refreshing today, so a late
// transaction landing on yesterday reaches today's prev_day too. A transaction that arrives
// (or changes status) later still, for an older day D, needs a backfill from D to today
// (`mari rollup backfill -from D`): re-running D fixes D's counts, histograms and month lists,
// and re-running the days after it fixes the prev_day of that sender's next active day with
// the bank, which until then still points before D, so a range holding both days would count
// the sender twice. Re-running D alone is therefore not enough for the bank-users figure.
//
// The month's top-recipient lists come from running monthly sums that each run of a day
// updates by that day's difference (queries.RebuildBankDay), so a run costs its own day, not
// the month so far. The sums stay exact as long as every change to bank_daily_recipients goes
// through this job; a backfill re-sums the month of its first day from its days.
func init() {
	dayJobs = append(dayJobs, DayJob{Name: JobBankDaily, Run: func(ctx context.Context, r *Runner, day calendar.Date, pass Pass) (int64, error) {
		var n int64
		err := pgx.BeginFunc(ctx, r.PG, func(tx pgx.Tx) error {
			var err error
			n, err = queries.RebuildBankDay(ctx, tx, day, pass.Recount, pass.Live, pass.Afresh)
			return err
		})
		return n, err
	}})
}
